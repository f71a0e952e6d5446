using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol;

/// <summary>The client state machine against a hand-driven server side, without any socket.</summary>
public class ClientConnectionTests
{
    private static readonly byte[] s_address = new byte[18];

    private static byte[] Poll(ClientConnection client, long now)
    {
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        return buffer.AsSpan(0, client.PollSend(buffer, now)).ToArray();
    }

    private static void Feed(ClientConnection client, Span<byte> datagram, long now)
    {
        var collector = new ConnectionTests.Collector();
        client.Receive(datagram, now, ref collector);
    }

    [Fact]
    public void Handshake_goes_hello_challenge_hello_with_cookie_welcome()
    {
        var cookies = new HandshakeCookies(HandshakeCookies.NewSecret());
        var client = new ClientConnection();
        client.Connect(1_000);
        Assert.Equal(ClientState.SendingHello, client.State);

        var hello = Poll(client, 1_000);
        Assert.Equal(ProtocolConstants.HelloSize, hello.Length);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(hello, out var parsed));
        Assert.False(parsed.HasCookie);

        var reply = new byte[ProtocolConstants.ChallengeSize];
        var cookie = new byte[ProtocolConstants.CookieSize];
        cookies.Issue(s_address, parsed.Nonce, 1_100, cookie);
        HandshakePackets.WriteChallenge(reply, parsed.Nonce, cookie);
        Feed(client, reply, 1_200);
        Assert.Equal(ClientState.SendingCookie, client.State);

        var second = Poll(client, 1_200);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(second, out var withCookie));
        Assert.Equal(DropReason.None, cookies.Verify(s_address, withCookie.Nonce, withCookie.Cookie, 1_300));

        var welcome = new byte[ProtocolConstants.WelcomeSize];
        HandshakePackets.WriteWelcome(welcome, new Welcome(withCookie.Nonce, 0xAB01, 5000, 1000, 1200));
        Feed(client, welcome, 1_400);
        Assert.True(client.IsConnected);
        Assert.Equal(0xAB01UL, client.ConnectionId);
    }

    [Fact]
    public void Replies_for_another_nonce_are_ignored()
    {
        var client = new ClientConnection();
        client.Connect(0);
        Poll(client, 0);
        var welcome = new byte[ProtocolConstants.WelcomeSize];
        HandshakePackets.WriteWelcome(welcome, new Welcome(client.Nonce + 1, 1, 5000, 1000, 1200));
        Feed(client, welcome, 1);
        Assert.Equal(ClientState.SendingHello, client.State);
        Assert.Equal(1, client.DroppedPackets);
    }

    [Fact]
    public void Hellos_are_resent_until_the_connect_timeout()
    {
        var client = new ClientConnection(new ClientConnectionOptions { HelloResendUs = 100, ConnectTimeoutUs = 1_000 });
        client.Connect(0);
        Assert.NotEmpty(Poll(client, 0));
        Assert.Empty(Poll(client, 50));
        Assert.NotEmpty(Poll(client, 100));
        client.Update(1_001);
        Assert.Equal(ClientState.Disconnected, client.State);
        Assert.Equal(DisconnectReason.ConnectTimeout, client.DisconnectReason);
        Assert.Empty(Poll(client, 2_000));
    }

    [Fact]
    public void A_reject_ends_the_attempt_with_its_reason()
    {
        var client = new ClientConnection();
        client.Connect(0);
        var reject = new byte[ProtocolConstants.RejectSize];
        HandshakePackets.WriteReject(reject, client.Nonce, RejectReason.ServerFull);
        Feed(client, reject, 1);
        Assert.Equal(ClientState.Disconnected, client.State);
        Assert.Equal(DisconnectReason.Rejected, client.DisconnectReason);
        Assert.Equal(RejectReason.ServerFull, client.RejectReason);
    }

    [Fact]
    public void Connected_client_times_out_when_the_server_goes_quiet()
    {
        var client = Connected(out _);
        client.Update(1_000 + 5_000_001);
        Assert.Equal(ClientState.Disconnected, client.State);
        Assert.Equal(DisconnectReason.Timeout, client.DisconnectReason);
    }

    [Fact]
    public void Server_disconnect_reaches_the_client_with_its_reason()
    {
        var client = Connected(out var server);
        server.Close(DisconnectReason.ServerShuttingDown);
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var length = server.PollSend(buffer, 2_000);
        Feed(client, buffer.AsSpan(0, length), 2_000);
        Assert.Equal(ClientState.Disconnected, client.State);
        Assert.Equal(DisconnectReason.ServerShuttingDown, client.DisconnectReason);
    }

    /// <summary>A client that completed the handshake at t=1000 us, and the server's end of its session.</summary>
    internal static ClientConnection Connected(out Connection server)
    {
        var client = new ClientConnection();
        client.Connect(1_000);
        Poll(client, 1_000);
        var welcome = new byte[ProtocolConstants.WelcomeSize];
        HandshakePackets.WriteWelcome(welcome, new Welcome(client.Nonce, 0x77, 5000, 1000, 1200));
        Feed(client, welcome, 1_000);
        Assert.True(client.IsConnected);
        server = new Connection(0x77, new ConnectionOptions(), 1_000);
        return client;
    }
}
