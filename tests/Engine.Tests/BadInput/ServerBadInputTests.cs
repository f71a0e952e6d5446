using System.Net;
using System.Net.Sockets;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.BadInput;

/// <summary>Rows of docs/BAD_INPUT.md proved against the real server over loopback.</summary>
public class ServerBadInputTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static long Drops(TestServer server, DropReason reason) => server.Server.ShardCounters.Sum(c => c.Drops(reason));

    private static Socket Raw()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.ReceiveTimeout = 3000;
        return socket;
    }

    [Fact]
    public void Oversized_truncated_and_empty_datagrams_are_dropped_and_counted()
    {
        using var server = new TestServer(o => o.MaxPayload = 1200);
        using var socket = Raw();
        socket.SendTo(new byte[1300], server.EndPoint);          // over max-payload
        socket.SendTo(new byte[ProtocolConstants.MaxDatagram + 200], server.EndPoint); // over what a shard reads
        socket.SendTo([], server.EndPoint);
        socket.SendTo([0x10, 1, 2], server.EndPoint);             // a session header cut short
        Assert.True(TestServer.WaitFor(() => Drops(server, DropReason.Oversized) == 1 && Drops(server, DropReason.Truncated) == 1
            && Drops(server, DropReason.TooShort) == 2, s_timeout),
            $"oversized {Drops(server, DropReason.Oversized)}, truncated {Drops(server, DropReason.Truncated)}, too short {Drops(server, DropReason.TooShort)}");
    }

    [Fact]
    public void A_hello_of_another_version_gets_a_reject_with_that_reason()
    {
        using var server = new TestServer();
        using var socket = Raw();
        // The version before (1: snapshots without the room epoch) and the one after.
        foreach (var version in new[] { (ushort)(ProtocolConstants.Version - 1), (ushort)(ProtocolConstants.Version + 1) })
        {
            var hello = new byte[ProtocolConstants.HelloSize];
            HandshakePackets.WriteHello(hello, 77, default, version: version);
            socket.SendTo(hello, server.EndPoint);
            var reply = new byte[64];
            var length = socket.Receive(reply);
            Assert.Equal(DropReason.None, HandshakePackets.TryReadReject(reply.AsSpan(0, length), out var nonce, out var reason));
            Assert.Equal((77UL, RejectReason.VersionMismatch), (nonce, reason));
            Assert.True(length <= ProtocolConstants.HelloSize);
        }
    }

    [Fact]
    public void Hellos_of_the_wrong_size_or_magic_get_no_answer()
    {
        using var server = new TestServer();
        using var socket = Raw();
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, 5, default);
        socket.SendTo(hello.AsSpan(0, 64).ToArray(), server.EndPoint);  // too small to be answered without amplification
        hello[1] ^= 0xFF;
        socket.SendTo(hello, server.EndPoint);
        Assert.True(TestServer.WaitFor(() => Drops(server, DropReason.BadHelloSize) == 1 && Drops(server, DropReason.BadMagic) == 1, s_timeout));
        Assert.Equal(0, server.Server.ShardCounters.Sum(c => c.ChallengesSent));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_replayed_session_packet_is_dropped_as_a_duplicate_and_delivers_nothing_twice(bool secure)
    {
        using var server = secure ? TestServer.Secure(o => o.TimeoutMs = 10_000) : new TestServer(o => o.TimeoutMs = 10_000);
        var clients = server.ConnectClients(1, s_timeout);
        var client = clients[0];
        var echoes = 0;
        client.MessageReceived += _ => echoes++;

        // Capture what the client sends by building the same packet from its own connection.
        var connection = client.Connection.Session!;
        connection.QueueUnreliable("once"u8);
        var packet = new byte[ProtocolConstants.MaxDatagram];
        var length = connection.PollSend(packet, MonotonicClock.NowUs);
        // Send it from the client's own socket twice (same source address), as a replaying attacker on the path would.
        client.SendRaw(packet.AsSpan(0, length));
        client.SendRaw(packet.AsSpan(0, length));
        Assert.True(TestServer.PumpUntil(clients, () => echoes >= 1 && Drops(server, DropReason.Duplicate) >= 1, s_timeout));
        TestServer.PumpUntil(clients, () => false, TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, echoes);
        Assert.Equal(0, Drops(server, DropReason.AuthFailed)); // sealed: a genuine copy passes the tag check and is stopped by the replay window
    }
}
