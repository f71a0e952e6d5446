using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Tests.Protocol;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>Sealed session packets without a network: two sealed connections talking, and everything an attacker could change.</summary>
public class PacketProtectionTests
{
    private const ulong Id = 0x0102030405060700;
    private static readonly ConnectionOptions s_sealed = new() { TimeoutUs = 5_000_000, PingIntervalUs = 1_000_000, Sealed = true };

    private static (Connection Client, Connection Server) Pair()
    {
        var c2s = RandomNumberGenerator.GetBytes(32);
        var s2c = RandomNumberGenerator.GetBytes(32);
        return (new Connection(Id, s_sealed, 0, PacketProtection.ForClient(c2s, s2c)),
                new Connection(Id, s_sealed, 0, PacketProtection.ForServer(c2s, s2c)));
    }

    private static byte[] Poll(Connection from, long now)
    {
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        return buffer.AsSpan(0, from.PollSend(buffer, now)).ToArray();
    }

    private static DropReason Deliver(Connection to, byte[] packet, long now, ref ConnectionTests.Collector collector) =>
        ConnectionTests.Deliver(to, (byte[])packet.Clone(), now, ref collector);

    [Fact]
    public void Sealed_messages_arrive_intact_and_the_payload_is_not_readable_on_the_wire()
    {
        var (client, server) = Pair();
        var secret = "the payload nobody on the path may read"u8.ToArray();
        Assert.True(client.QueueUnreliable(secret));
        var packet = Poll(client, 10);
        Assert.Equal(ProtocolConstants.SessionHeaderSize + 1 + 1 + secret.Length + SecurityConstants.TagSize, packet.Length);
        Assert.Equal(-1, packet.AsSpan().IndexOf(secret));
        Assert.Equal(DropReason.None, SessionHeader.TryRead(packet, out var header));
        Assert.Equal(Id, header.ConnectionId); // the header stays in the clear: the kernel steers by it

        var collector = new ConnectionTests.Collector();
        Assert.Equal(DropReason.None, Deliver(server, packet, 20, ref collector));
        Assert.Equal(secret, Assert.Single(collector.Messages));
        // And back the other way, under the other key.
        Assert.True(server.QueueUnreliable("pong"u8));
        var reply = new ConnectionTests.Collector();
        Assert.Equal(DropReason.None, Deliver(client, Poll(server, 30), 40, ref reply));
        Assert.Equal("pong"u8.ToArray(), Assert.Single(reply.Messages));
    }

    [Fact]
    public void Every_flipped_bit_of_header_payload_or_tag_fails_authentication_and_changes_nothing()
    {
        var (client, server) = Pair();
        Assert.True(client.QueueUnreliable("0123456789"u8));
        var packet = Poll(client, 10);
        for (var i = 0; i < packet.Length; i++)
        {
            var forged = (byte[])packet.Clone();
            forged[i] ^= 0x01;
            if (SessionHeader.TryRead(forged, out var header) != DropReason.None)
            {
                continue; // a broken type byte never reaches the connection
            }
            var before = server.Stats;
            var collector = new ConnectionTests.Collector();
            Assert.Equal(DropReason.AuthFailed, server.Receive(header, forged, 20, ref collector));
            Assert.Null(collector.Messages);
            Assert.Equal(before, server.Stats);
        }
        // The genuine packet still opens afterwards: the failures recorded nothing.
        var genuine = new ConnectionTests.Collector();
        Assert.Equal(DropReason.None, Deliver(server, packet, 30, ref genuine));
        Assert.Single(genuine.Messages);
    }

    [Fact]
    public void A_packet_sealed_for_the_other_direction_or_another_session_does_not_open()
    {
        var (client, server) = Pair();
        var (otherClient, _) = Pair();
        Assert.True(server.QueueUnreliable("x"u8));
        var fromServer = Poll(server, 10);
        var collector = new ConnectionTests.Collector();
        // Reflected back at the server: same session, wrong direction key and nonce label.
        Assert.Equal(DropReason.AuthFailed, Deliver(server, fromServer, 20, ref collector));
        Assert.True(otherClient.QueueUnreliable("y"u8));
        Assert.Equal(DropReason.AuthFailed, Deliver(server, Poll(otherClient, 10), 20, ref collector));
        Assert.Equal(DropReason.None, Deliver(client, fromServer, 20, ref collector));
    }

    [Fact]
    public void A_replayed_sealed_packet_opens_but_is_dropped_as_a_duplicate()
    {
        var (client, server) = Pair();
        Assert.True(client.QueueUnreliable("once"u8));
        var packet = Poll(client, 10);
        var collector = new ConnectionTests.Collector();
        Assert.Equal(DropReason.None, Deliver(server, packet, 20, ref collector));
        Assert.Equal(DropReason.Duplicate, Deliver(server, packet, 30, ref collector));
        Assert.Single(collector.Messages);
    }

    [Fact]
    public void Packet_numbers_keep_counting_past_the_16_bit_sequence_wrap()
    {
        var (client, server) = Pair();
        var collector = new ConnectionTests.Collector();
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var now = 0L;
        for (var i = 0; i < 70_000; i++)
        {
            client.QueueUnreliable("n"u8);
            var length = client.PollSend(buffer, now);
            Assert.Equal(DropReason.None, SessionHeader.TryRead(buffer.AsSpan(0, length), out var header));
            // Every packet opens, including those after sequence 65535 became 0 again: the nonce is the full number.
            Assert.Equal(DropReason.None, server.Receive(header, buffer.AsSpan(0, length), now, ref collector));
            now += 10;
        }
        Assert.Equal(70_000, collector.Messages!.Count);
    }

    [Fact]
    public void The_message_budget_shrinks_by_the_tag_so_a_full_packet_still_fits_the_payload_limit()
    {
        var (client, _) = Pair();
        var plain = new Connection(Id, ConnectionOptions.Default, 0);
        Assert.Equal(plain.MaxMessageSize - SecurityConstants.TagSize, client.MaxMessageSize);
        Assert.True(client.QueueUnreliable(new byte[client.MaxMessageSize]));
        Assert.True(Poll(client, 10).Length <= ConnectionOptions.Default.MaxPayload);
    }

    [Fact]
    public void Sealing_and_opening_allocate_nothing()
    {
        var (client, server) = Pair();
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var payload = new byte[100];
        Assert.Equal(2_000, RoundTrips(client, server, buffer, payload, 2_000)); // warm-up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var done = RoundTrips(client, server, buffer, payload, 5_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(5_000, done);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int RoundTrips(Connection client, Connection server, byte[] buffer, byte[] payload, int count)
    {
        var handler = default(CountingHandler);
        for (var i = 0; i < count; i++)
        {
            client.QueueUnreliable(payload);
            var length = client.PollSend(buffer, i);
            SessionHeader.TryRead(buffer.AsSpan(0, length), out var header);
            if (server.Receive(header, buffer.AsSpan(0, length), i, ref handler) != DropReason.None)
            {
                return i;
            }
        }
        return count;
    }

    private struct CountingHandler : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload)
        {
        }

        public void OnReliable(ReadOnlySpan<byte> payload)
        {
        }

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
        {
        }
    }

    [Fact]
    public void A_secure_client_takes_only_a_welcome_sealed_with_its_token_keys()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var token = ConnectToken.Issue(key, 7, [new IPEndPoint(IPAddress.Loopback, 7777)], TimeSpan.FromSeconds(30));
        var client = new ClientConnection();
        client.Connect(0, token);
        var hello = new byte[ProtocolConstants.MaxDatagram];
        Assert.Equal(ProtocolConstants.HelloSize, client.PollSend(hello, 0));
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(hello.AsSpan(0, ProtocolConstants.HelloSize), out var parsed));
        Assert.Equal(token.SealedPrivate.ToArray(), parsed.SealedToken.ToArray());

        var welcome = new Welcome(client.Nonce, 0xAB01, 5000, 1000, 1200);
        var collector = new ConnectionTests.Collector();
        // Unsealed, or sealed with other keys (an attacker who saw the hello but holds no token): ignored.
        var plain = new byte[ProtocolConstants.WelcomeSize];
        HandshakePackets.WriteWelcome(plain, welcome);
        client.Receive(plain, 1, ref collector);
        var forged = new byte[ProtocolConstants.SealedWelcomeSize];
        using (var other = PacketProtection.ForServer(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32)))
        {
            other.SealWelcome(forged, welcome);
        }
        client.Receive(forged, 2, ref collector);
        Assert.Equal(ClientState.SendingHello, client.State);
        Assert.Equal(2, client.DroppedPackets);

        var genuine = new byte[ProtocolConstants.SealedWelcomeSize];
        using (var server = PacketProtection.ForServer(token.ClientToServerKey, token.ServerToClientKey))
        {
            server.SealWelcome(genuine, welcome);
        }
        client.Receive(genuine, 3, ref collector);
        Assert.True(client.IsConnected);
        Assert.True(client.Session!.IsSealed);
    }

    [Fact]
    public void A_recycled_protection_takes_the_next_sessions_keys_and_opens_nothing_under_the_last()
    {
        var (c2s, s2c) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var ended = PacketProtection.ForServer(c2s, s2c);
        var lastSession = PacketProtection.ForClient(c2s, s2c);
        var packet = new byte[ProtocolConstants.SessionHeaderSize + 8 + SecurityConstants.TagSize];
        RandomNumberGenerator.Fill(packet.AsSpan(0, ProtocolConstants.SessionHeaderSize + 8));
        var fromLastSession = packet.AsSpan(0, lastSession.Seal(packet, ProtocolConstants.SessionHeaderSize + 8, 1)).ToArray();

        ended.Recycle();
        var (nextC2s, nextS2c) = (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var next = PacketProtection.ForServer(nextC2s, nextS2c);
        Assert.Same(ended, next); // this thread's pool: the last one in is the first out

        var client = PacketProtection.ForClient(nextC2s, nextS2c);
        var fromClient = packet.AsSpan(0, client.Seal(packet, ProtocolConstants.SessionHeaderSize + 8, 1)).ToArray();
        Assert.True(next.TryOpen((byte[])fromClient.Clone(), 1));
        Assert.False(next.TryOpen((byte[])fromLastSession.Clone(), 1));
    }

    [Fact]
    public void Recycling_twice_pools_the_protection_once()
    {
        var protection = PacketProtection.ForServer(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        protection.Recycle();
        protection.Recycle();
        var first = PacketProtection.ForServer(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        var second = PacketProtection.ForServer(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        Assert.Same(protection, first);
        Assert.NotSame(first, second); // two sessions never share one
    }
}
