using System.Net;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Engine.Server.Handshake;
using Engine.Tests.Sessions;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Handshake;

/// <summary>
/// What <see cref="HandshakeService"/> makes of each hello, without a socket: dropped, challenged,
/// rejected with a reason, or admitted to a shard; on an insecure and on a secure server.
/// </summary>
public class HandshakeServiceTests
{
    private static readonly PeerAddress s_client = TestSessions.Address("198.51.100.20", 40_000);
    private static readonly PeerAddress s_other = TestSessions.Address("198.51.100.21", 40_000);

    [Theory]
    [InlineData(ProtocolConstants.HelloSize - 1)]
    [InlineData(ProtocolConstants.HelloSize + 1)]
    [InlineData(1)]
    public void A_hello_of_the_wrong_size_is_dropped_without_a_reply(int size)
    {
        using var h = new HandshakeHarness();
        var datagram = new byte[Math.Max(size, ProtocolConstants.HelloSize)];
        HandshakePackets.WriteHello(datagram, 1, default);
        Assert.True(h.Receive(datagram.AsSpan(0, size), s_client).IsSilent);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.BadHelloSize));
        Assert.Equal(0, h.Counters[0].HellosReceived);
    }

    [Fact]
    public void Another_protocol_version_is_rejected()
    {
        using var h = new HandshakeHarness();
        var reply = h.Hello(s_client, 1, version: (ushort)(ProtocolConstants.Version + 1));
        Assert.Equal(RejectReason.VersionMismatch, reply.Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.VersionMismatch));
        Assert.Equal(1, h.Counters[0].RejectsSent);
    }

    [Fact]
    public void A_server_shutting_down_rejects_even_a_client_with_a_cookie()
    {
        using var h = new HandshakeHarness();
        Assert.Equal(RejectReason.ShuttingDown, h.Hello(s_client, 1, closed: RejectReason.ShuttingDown).Rejected);
        var cookie = h.Cookie(s_client, 2);
        Assert.Equal(RejectReason.ShuttingDown, h.Hello(s_client, 2, cookie, closed: RejectReason.ShuttingDown).Rejected);
        Assert.Equal(0, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
    }

    [Fact]
    public void A_draining_server_rejects_new_clients_saying_so_and_counts_them_apart()
    {
        using var h = new HandshakeHarness();
        var cookie = h.Cookie(s_client, 2);
        Assert.Equal(RejectReason.Draining, h.Hello(s_client, 2, cookie, closed: RejectReason.Draining).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.Draining));
        Assert.Equal(0, h.Counters[0].Drops(DropReason.ShuttingDown));
        Assert.Equal(0, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
        // The refusal kept nothing: the same client is admitted by a server taking players.
        Assert.True(h.Hello(s_client, 2, cookie).Outcome.Admitted);
    }

    [Fact]
    public void A_first_hello_gets_a_challenge_and_the_server_keeps_nothing()
    {
        using var h = new HandshakeHarness();
        var reply = h.Hello(s_client, 0xABCDEF);
        Assert.Equal(PacketType.Challenge, reply.Type);
        Assert.False(reply.Outcome.Admitted);
        Assert.True(reply.Bytes.Length <= ProtocolConstants.HelloSize); // never more than the client sent
        Assert.Equal(DropReason.None, HandshakePackets.TryReadChallenge(reply.Bytes, out var nonce, out var cookie));
        Assert.Equal((0xABCDEFUL, ProtocolConstants.CookieSize), (nonce, cookie.Length));
        Assert.Equal(1, h.Counters[0].ChallengesSent);
        Assert.Equal(0, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
    }

    [Fact]
    public void A_valid_cookie_admits_to_the_least_loaded_shard_under_an_id_that_steers_there()
    {
        using var h = new HandshakeHarness(o => { o.TimeoutMs = 7_000; o.PingIntervalMs = 250; o.MaxPayload = 1400; });
        h.Directory.Mailbox(0).SessionAdded();
        var reply = h.Connect(s_client, 77);

        Assert.True(reply.Outcome.Admitted);
        Assert.Empty(reply.Bytes); // the shard that opens the session sends the welcome
        Assert.Equal(1, reply.Outcome.Shard);
        var admission = reply.Outcome.Admission;
        Assert.Equal((s_client, 77UL), (admission.Address, admission.Nonce));
        Assert.Equal(1, (byte)admission.ConnectionId);
        Assert.Null(admission.Keys);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadWelcome(reply.AdmissionWelcome, out var welcome));
        Assert.Equal(new Welcome(77, admission.ConnectionId, 7_000, 250, 1400), welcome);
        Assert.Equal((1, 1), (h.Directory.Mailbox(0).Load, h.Directory.Mailbox(1).Load)); // its place is held until the shard opens it

        h.Directory.Mailbox(1).SessionAdded();
        h.Directory.Mailbox(1).SessionAdded();
        Assert.Equal(0, h.Connect(s_other, 78).Outcome.Shard);
    }

    [Fact]
    public void A_retransmitted_hello_gets_the_same_welcome_and_no_second_session()
    {
        using var h = new HandshakeHarness();
        var cookie = h.Cookie(s_client, 5);
        var first = h.Hello(s_client, 5, cookie);
        Assert.True(first.Outcome.Admitted);

        h.Advance(TimeSpan.FromSeconds(1));
        var again = h.Hello(s_client, 5, cookie);
        Assert.False(again.Outcome.Admitted);
        Assert.Equal(first.AdmissionWelcome, again.Bytes);
        Assert.Equal(first.Outcome.Admission.ConnectionId, again.Welcome.ConnectionId);
        Assert.Equal(1, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
        Assert.Equal(1, h.Counters[0].WelcomesSent);

        // A fresh cookie for the same hello nonce is the same client too.
        Assert.Equal(first.AdmissionWelcome, h.Connect(s_client, 5).Bytes);
    }

    [Fact]
    public void Bad_expired_and_borrowed_cookies_are_dropped_without_a_reply()
    {
        using var h = new HandshakeHarness();
        var cookie = h.Cookie(s_client, 9);

        var forged = cookie.ToArray();
        forged[^1] ^= 1;
        Assert.True(h.Hello(s_client, 9, forged).IsSilent);
        Assert.True(h.Hello(s_client, 10, cookie).IsSilent); // another nonce
        Assert.True(h.Hello(s_other, 9, cookie).IsSilent); // another address
        Assert.Equal(3, h.Counters[0].Drops(DropReason.BadCookie));

        h.Advance(TimeSpan.FromSeconds(11));
        Assert.True(h.Hello(s_client, 9, cookie).IsSilent);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.ExpiredCookie));
        Assert.Equal(0, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
    }

    [Fact]
    public void Hellos_are_rate_limited_per_address_not_per_port()
    {
        using var h = new HandshakeHarness(o => o.HandshakesPerSecondPerAddress = 2); // a burst of 4
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(PacketType.Challenge, h.Hello(TestSessions.Address("198.51.100.20", 1000 + i), (ulong)i).Type);
        }
        Assert.True(h.Hello(TestSessions.Address("198.51.100.20", 2000), 9).IsSilent);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.HandshakeRateLimited));
        Assert.Equal(PacketType.Challenge, h.Hello(s_other, 9).Type);

        h.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PacketType.Challenge, h.Hello(s_client, 10).Type);
        Assert.True(h.Hello(s_client, 11).IsSilent);
    }

    [Fact]
    public void A_full_server_rejects_with_server_full()
    {
        using var h = new HandshakeHarness(o => o.MaxSessions = 2);
        h.Directory.Mailbox(0).SessionAdded();
        h.Directory.Mailbox(1).SessionAdded();
        Assert.Equal(RejectReason.ServerFull, h.Connect(s_client, 1).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.ServerFull));

        h.Directory.Mailbox(1).SessionRemoved();
        Assert.True(h.Connect(s_client, 2).Outcome.Admitted);
    }

    [Fact]
    public void Too_many_sessions_from_one_address_are_rejected_with_that_reason()
    {
        using var h = new HandshakeHarness(o => o.MaxSessionsPerAddress = 2);
        var first = TestSessions.Address("198.51.100.30", 1);
        Assert.True(h.Connect(first, 1).Outcome.Admitted);
        Assert.True(h.Connect(TestSessions.Address("198.51.100.30", 2), 2).Outcome.Admitted);
        Assert.Equal(RejectReason.TooManySessionsFromAddress, h.Connect(TestSessions.Address("198.51.100.30", 3), 3).Rejected);
        Assert.Equal(1, h.Counters[0].AddressLimitRejects);
        Assert.True(h.Connect(s_other, 4).Outcome.Admitted);

        h.Directory.SessionClosed(first);
        Assert.True(h.Connect(TestSessions.Address("198.51.100.30", 3), 5).Outcome.Admitted);
    }

    [Fact]
    public void An_abandoned_admission_is_forgotten_so_the_next_hello_admits_again()
    {
        using var h = new HandshakeHarness();
        var cookie = h.Cookie(s_client, 5);
        var first = h.Hello(s_client, 5, cookie);
        h.Directory.CancelPlacement(first.Outcome.Shard, first.Outcome.Admission.Address);
        h.Services[0].Abandon(first.Outcome.Admission);

        var again = h.Hello(s_client, 5, cookie);
        Assert.True(again.Outcome.Admitted);
        Assert.NotEqual(first.Outcome.Admission.ConnectionId, again.Outcome.Admission.ConnectionId);
    }

    [Fact]
    public void Admissions_are_forgotten_once_older_than_a_cookie()
    {
        using var h = new HandshakeHarness();
        var first = h.Connect(s_client, 5);
        h.Advance(TimeSpan.FromSeconds(9));
        h.Services[0].Prune(h.NowUs);
        Assert.Equal(first.AdmissionWelcome, h.Connect(s_client, 5).Bytes);

        h.Advance(TimeSpan.FromSeconds(2));
        h.Services[0].Prune(h.NowUs);
        Assert.True(h.Connect(s_client, 5).Outcome.Admitted);
    }

    [Fact]
    public void A_hello_with_a_token_to_an_insecure_server_is_refused()
    {
        using var secure = new HandshakeHarness(secure: true);
        using var h = new HandshakeHarness();
        Assert.Equal(RejectReason.SecurityModeMismatch, h.Connect(s_client, 1, secure.IssueToken()).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.SecurityModeMismatch));
    }

    [Fact]
    public void A_valid_token_admits_with_the_sessions_keys_and_a_sealed_welcome()
    {
        using var h = new HandshakeHarness(secure: true);
        var token = h.IssueToken();
        var reply = h.Connect(s_client, 5, token);

        Assert.True(reply.Outcome.Admitted);
        var admission = reply.Outcome.Admission;
        Assert.NotNull(admission.Keys);
        Assert.Equal(ProtocolConstants.SealedWelcomeSize, reply.AdmissionWelcome.Length);
        using var client = PacketProtection.ForClient(token.ClientToServerKey, token.ServerToClientKey);
        Assert.True(client.VerifyWelcome(reply.AdmissionWelcome, 5));
        Assert.Equal(1, h.UsedTokens!.Count);
        admission.Keys!.Dispose();
    }

    [Fact]
    public void The_admission_carries_the_player_id_the_backend_put_in_the_token()
    {
        using var h = new HandshakeHarness(secure: true);
        var reply = h.Connect(s_client, 5, h.IssueToken(playerId: 123_456));
        Assert.Equal(123_456UL, reply.Outcome.Admission.TokenPlayerId);
        reply.Outcome.Admission.Keys!.Dispose();
    }

    [Fact]
    public void A_retransmitted_hello_reaching_another_shard_gets_the_same_welcome()
    {
        using var h = new HandshakeHarness(secure: true);
        var (token, cookie) = h.Challenged(s_client, 5);
        var first = h.Hello(s_client, 5, cookie, token, shard: 0);
        var again = h.Hello(s_client, 5, cookie, token, shard: 1);
        Assert.False(again.Outcome.Admitted);
        Assert.Equal(first.AdmissionWelcome, again.Bytes);
        first.Outcome.Admission.Keys!.Dispose();
    }

    [Fact]
    public void An_expired_token_is_rejected_as_expired()
    {
        using var h = new HandshakeHarness(secure: true);
        var token = h.IssueToken(lifetime: TimeSpan.FromSeconds(30), issuedUnixSeconds: h.NowUnixSeconds - 60);
        Assert.Equal(RejectReason.TokenExpired, h.Connect(s_client, 5, token).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.ExpiredToken));
    }

    [Fact]
    public void A_token_for_another_server_is_refused()
    {
        using var h = new HandshakeHarness(secure: true);
        var token = h.IssueToken(server: new IPEndPoint(IPAddress.Parse("203.0.113.8"), 7777));
        Assert.Equal(RejectReason.TokenRefused, h.Connect(s_client, 5, token).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.TokenAddressNotListed));
    }

    [Fact]
    public void A_token_from_another_servers_key_is_refused()
    {
        using var h = new HandshakeHarness(secure: true);
        using var other = new HandshakeHarness(secure: true);
        Assert.Equal(RejectReason.TokenRefused, h.Connect(s_client, 5, other.IssueToken()).Rejected);
        Assert.Equal(0, h.Directory.Mailbox(0).Load + h.Directory.Mailbox(1).Load);
    }

    [Fact]
    public void A_token_replayed_from_another_address_is_refused()
    {
        using var h = new HandshakeHarness(secure: true);
        var token = h.IssueToken();
        var admitted = h.Connect(s_client, 5, token);
        Assert.True(admitted.Outcome.Admitted);

        Assert.Equal(RejectReason.TokenRefused, h.Connect(s_other, 5, token, shard: 1).Rejected);
        Assert.Equal(RejectReason.TokenRefused, h.Connect(s_client, 6, token, shard: 1).Rejected); // the same address, another attempt
        Assert.Equal(2, h.Counters[1].Drops(DropReason.TokenReplayed));
        admitted.Outcome.Admission.Keys!.Dispose();
    }

    [Fact]
    public void A_hello_without_a_token_to_a_secure_server_is_refused()
    {
        using var h = new HandshakeHarness(secure: true);
        Assert.Equal(RejectReason.SecurityModeMismatch, h.Connect(s_client, 5).Rejected);
        Assert.Equal(1, h.Counters[0].Drops(DropReason.SecurityModeMismatch));
    }

    [Fact]
    public void An_abandoned_admission_gives_its_token_back()
    {
        using var h = new HandshakeHarness(secure: true);
        var (token, cookie) = h.Challenged(s_client, 5);
        var first = h.Hello(s_client, 5, cookie, token, shard: 0);
        h.Directory.CancelPlacement(first.Outcome.Shard, s_client);
        h.Services[0].Abandon(first.Outcome.Admission);
        Assert.Equal(0, h.UsedTokens!.Count);

        // On the other shard the token is new again: admitted, not answered with the abandoned welcome.
        var again = h.Hello(s_client, 5, cookie, token, shard: 1);
        Assert.True(again.Outcome.Admitted);
        Assert.NotEqual(first.Outcome.Admission.ConnectionId, again.Outcome.Admission.ConnectionId);
        again.Outcome.Admission.Keys!.Dispose();
    }

    [Fact]
    public void A_token_refused_for_a_full_server_can_be_used_once_there_is_room()
    {
        using var h = new HandshakeHarness(o => o.MaxSessions = 1, secure: true);
        h.Directory.Mailbox(0).SessionAdded();
        var (token, cookie) = h.Challenged(s_client, 5);
        Assert.Equal(RejectReason.ServerFull, h.Hello(s_client, 5, cookie, token).Rejected);
        Assert.Equal(0, h.UsedTokens!.Count);

        h.Directory.Mailbox(0).SessionRemoved();
        var admitted = h.Hello(s_client, 5, cookie, token);
        Assert.True(admitted.Outcome.Admitted);
        admitted.Outcome.Admission.Keys!.Dispose();
    }
}
