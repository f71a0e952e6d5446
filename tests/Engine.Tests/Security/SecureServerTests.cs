using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Engine.Client;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>The real server in secure mode over loopback: tokens checked at the handshake, every packet sealed.</summary>
public class SecureServerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static long Drops(TestServer server, DropReason reason) => server.Server.ShardCounters.Sum(c => c.Drops(reason));

    [Fact]
    public void Clients_with_tokens_connect_and_echo_over_sealed_packets()
    {
        using var server = TestServer.Secure();
        var clients = server.ConnectClients(20, s_timeout);
        Assert.All(clients, c => Assert.True(c.IsConnected));
        Assert.All(clients, c => Assert.True(c.Connection.Session!.IsSealed));
        var echoed = TestServer.SendNumberedEchoes(clients);
        Assert.True(TestServer.PumpUntil(clients, () => echoed.All(n => n == 1) && clients.All(c => c.Ping > TimeSpan.Zero), s_timeout));
        Assert.Equal(0, server.Server.GetStatistics().Drops);
        Assert.Equal(0, clients.Sum(c => c.Connection.DroppedPackets));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void Tampered_wrong_key_expired_and_foreign_tokens_are_refused_with_a_reason_and_counted()
    {
        using var server = TestServer.Secure();
        var bytes = server.IssueToken().ToBytes();
        bytes[60] ^= 0x10; // inside the sealed private part
        Assert.True(ConnectToken.TryRead(bytes, out var tampered));
        var wrongKey = ConnectToken.Issue(RandomNumberGenerator.GetBytes(32), 1, [server.EndPoint], TimeSpan.FromSeconds(30));
        var expired = server.IssueToken(lifetime: TimeSpan.FromSeconds(30), now: DateTimeOffset.UtcNow.AddMinutes(-2));
        var otherServer = server.IssueToken(servers: [new IPEndPoint(IPAddress.Loopback, server.EndPoint.Port == 65535 ? 1 : server.EndPoint.Port + 1)]);

        Assert.Equal(RejectReason.TokenRefused, Refusal(server, tampered!));
        Assert.Equal(RejectReason.TokenRefused, Refusal(server, wrongKey));
        Assert.Equal(RejectReason.TokenExpired, Refusal(server, expired));
        Assert.Equal(RejectReason.TokenRefused, Refusal(server, otherServer));
        Assert.Equal(RejectReason.SecurityModeMismatch, Refusal(server, null));
        Assert.Equal(2, Drops(server, DropReason.InvalidToken));
        Assert.Equal(1, Drops(server, DropReason.ExpiredToken));
        Assert.Equal(1, Drops(server, DropReason.TokenAddressNotListed));
        Assert.Equal(1, Drops(server, DropReason.SecurityModeMismatch));
        Assert.Equal(0, server.Server.SessionCount);
    }

    [Fact]
    public void An_insecure_server_refuses_a_client_that_brings_a_token()
    {
        using var server = new TestServer();
        var token = ConnectToken.Issue(RandomNumberGenerator.GetBytes(32), 1, [server.EndPoint], TimeSpan.FromSeconds(30));
        Assert.Equal(RejectReason.SecurityModeMismatch, Refusal(server, token));
        Assert.Equal(1, Drops(server, DropReason.SecurityModeMismatch));
    }

    /// <summary>Connects a raw client (to the server whatever the token lists) and returns why it was refused.</summary>
    private static RejectReason Refusal(TestServer server, ConnectToken? token)
    {
        using var client = new RawClient(server.EndPoint);
        Assert.False(client.Connect(token, s_timeout));
        Assert.Equal(DisconnectReason.Rejected, client.Connection.DisconnectReason);
        return client.Connection.RejectReason;
    }

    [Fact]
    public void A_token_used_by_one_client_is_refused_to_another_address_and_even_to_a_new_attempt()
    {
        using var server = TestServer.Secure();
        var token = server.IssueToken();
        using var first = new RawClient(server.EndPoint);
        Assert.True(first.Connect(token, s_timeout));

        // Copied off the wire to another address (another source port is another client).
        using var thief = new RawClient(server.EndPoint);
        Assert.False(thief.Connect(token, s_timeout));
        Assert.Equal(RejectReason.TokenRefused, thief.Connection.RejectReason);
        Assert.Equal(1, Drops(server, DropReason.TokenReplayed));
        Assert.Equal(1, server.Server.SessionCount);

        // The same socket starting over (a new hello nonce) would reuse the session keys: refused as well.
        Assert.True(ConnectToken.TryRead(token.ToBytes(), out var copy));
        first.Connection.Connect(MonotonicClock.NowUs, copy!);
        var deadline = DateTime.UtcNow + s_timeout;
        while (first.Connection.State is ClientState.SendingHello or ClientState.SendingCookie && DateTime.UtcNow < deadline)
        {
            first.Pump();
        }
        Assert.Equal(RejectReason.TokenRefused, first.Connection.RejectReason);
        Assert.Equal(2, Drops(server, DropReason.TokenReplayed));
    }

    [Fact]
    public void A_retransmitted_hello_gets_the_same_sealed_welcome_and_no_second_session()
    {
        using var server = TestServer.Secure();
        var token = server.IssueToken();
        using var client = new RawClient(server.EndPoint);
        Assert.True(client.Connect(token, s_timeout));
        var welcome = Assert.Single(client.Received, d => d[0] == (byte)PacketType.Welcome);
        Assert.Equal(ProtocolConstants.SealedWelcomeSize, welcome.Length);

        // The hello with the cookie again, as if the welcome had been lost.
        var hello = new byte[ProtocolConstants.HelloSize];
        var challenge = Assert.Single(client.Received, d => d[0] == (byte)PacketType.Challenge);
        HandshakePackets.WriteHello(hello, client.Connection.Nonce, challenge.AsSpan(9, ProtocolConstants.CookieSize), token: token);
        client.Socket.SendTo(hello, server.EndPoint);
        var again = new byte[ProtocolConstants.MaxDatagram];
        client.Socket.ReceiveTimeout = 3000;
        int length;
        do
        {
            length = client.Socket.Receive(again);
        }
        while (again[0] != (byte)PacketType.Welcome);
        Assert.Equal(welcome, again.AsSpan(0, length).ToArray());
        Assert.Equal(1, server.Server.SessionCount);
        Assert.Equal(0, Drops(server, DropReason.TokenReplayed));
    }

    [Fact]
    public void Forged_packets_under_a_valid_id_and_guessed_ids_are_dropped_without_disturbing_the_session()
    {
        using var server = TestServer.Secure(o => o.TimeoutMs = 10_000);
        var clients = server.ConnectClients(1, s_timeout);
        var client = clients[0];
        var echoes = 0;
        client.MessageReceived += _ => echoes++;
        var random = new Random(11);
        var statsBefore = client.Stats;

        // From the client's own address and port (a spoofing attacker who learned the id): fail the tag.
        for (var i = 0; i < 200; i++)
        {
            var forged = new byte[random.Next(ProtocolConstants.SessionHeaderSize + SecurityConstants.TagSize, 300)];
            random.NextBytes(forged);
            new SessionHeader(client.ConnectionId, (ushort)random.Next(), 0, 0, false).Write(forged);
            client.SendRaw(forged);
        }
        // Guessed ids from elsewhere: no such session, no decryption attempted.
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (var i = 0; i < 200; i++)
        {
            var guess = new byte[64];
            random.NextBytes(guess);
            new SessionHeader((ulong)random.NextInt64(), 1, 0, 0, false).Write(guess);
            attacker.SendTo(guess, server.EndPoint);
        }
        Assert.True(TestServer.WaitFor(() => Drops(server, DropReason.AuthFailed) == 200 && Drops(server, DropReason.UnknownSession) == 200, s_timeout),
            $"auth_failed {Drops(server, DropReason.AuthFailed)}, unknown_session {Drops(server, DropReason.UnknownSession)}");

        // None of it reached the session: not its rate budget, not its sequence window, not its messages.
        Assert.Equal(0, Drops(server, DropReason.SessionRateLimited));
        client.Send("still here"u8);
        Assert.True(TestServer.PumpUntil(clients, () => echoes == 1, s_timeout));
        Assert.True(client.IsConnected);
        Assert.Equal(0, Drops(server, DropReason.Duplicate) + Drops(server, DropReason.Stale));
        Assert.True(client.Stats.PacketsReceived > statsBefore.PacketsReceived);
    }

    [Fact]
    public void An_EngineClient_connects_with_the_base64_form_of_a_token()
    {
        using var server = TestServer.Secure();
        using var client = new EngineClient();
        client.Connect(server.IssueToken().ToBase64());
        Assert.True(client.WaitUntilConnected(s_timeout));
        Assert.Equal(server.EndPoint, client.RemoteEndPoint);
    }
}
