using Engine.Protocol;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol;

public class ConnectionTests
{
    private const ulong Id = 0x0102030405060700;
    private static readonly ConnectionOptions s_options = new() { TimeoutUs = 5_000_000, PingIntervalUs = 1_000_000 };

    internal struct Collector : IMessageHandler
    {
        public List<byte[]> Messages;

        public List<byte[]> Reliable;

        public void OnMessage(ReadOnlySpan<byte> payload) => (Messages ??= []).Add(payload.ToArray());

        public void OnReliable(ReadOnlySpan<byte> payload) => (Reliable ??= []).Add(payload.ToArray());


        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)

        {

        }
    }

    internal static DropReason Deliver(Connection to, Span<byte> packet, long now, ref Collector collector)
    {
        var reason = SessionHeader.TryRead(packet, out var header);
        return reason != DropReason.None ? reason : to.Receive(header, packet, now, ref collector);
    }

    private static byte[] Poll(Connection from, long now)
    {
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var length = from.PollSend(buffer, now);
        return buffer.AsSpan(0, length).ToArray();
    }

    [Fact]
    public void Messages_travel_and_acks_come_back()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        Assert.True(a.QueueUnreliable("hello"u8));
        var packet = Poll(a, 10);
        Assert.Equal(DropReason.None, Deliver(b, packet, 20, ref collector));
        Assert.Equal("hello"u8.ToArray(), Assert.Single(collector.Messages));

        Assert.True(b.QueueUnreliable("back"u8));
        Assert.Equal(DropReason.None, Deliver(a, Poll(b, 30), 40, ref collector));
        Assert.Equal(1, a.Stats.PacketsAcked);
        Assert.Equal(0, a.Stats.PacketsLost);
    }

    [Fact]
    public void Nothing_is_sent_when_nothing_is_due_and_a_ping_goes_out_on_time()
    {
        var a = new Connection(Id, s_options, 0);
        Assert.Empty(Poll(a, 999_999));
        var ping = Poll(a, 1_000_000);
        Assert.Equal(ProtocolConstants.SessionHeaderSize + 10, ping.Length);
        Assert.Equal((byte)MessageKind.Ping, ping[ProtocolConstants.SessionHeaderSize]);
    }

    [Fact]
    public void Ping_and_pong_measure_the_round_trip()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        Deliver(b, Poll(a, 1_000_000), 1_000_100, ref collector);
        Assert.True(b.HasOutput(1_000_100));
        Deliver(a, Poll(b, 1_000_200), 1_000_300, ref collector);
        Assert.Equal(300, a.Stats.LastRttUs);
        Assert.Equal(300, a.Stats.SmoothedRttUs);
    }

    [Fact]
    public void Duplicates_and_stale_packets_are_dropped()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        a.QueueUnreliable("x"u8);
        var first = Poll(a, 1);
        Assert.Equal(DropReason.None, Deliver(b, first, 2, ref collector));
        Assert.Equal(DropReason.Duplicate, Deliver(b, first, 3, ref collector));
        for (var i = 0; i < 40; i++)
        {
            a.QueueUnreliable("y"u8);
            Deliver(b, Poll(a, 4 + i), 4 + i, ref collector);
        }
        Assert.Equal(DropReason.Stale, Deliver(b, first, 100, ref collector));
        Assert.Equal(41, collector.Messages.Count);
    }

    [Fact]
    public void Out_of_order_packets_inside_the_window_are_accepted_once()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        var packets = Enumerable.Range(0, 5).Select(i => { a.QueueUnreliable([(byte)i]); return Poll(a, i + 1); }).ToArray();
        foreach (var index in new[] { 4, 0, 2, 1, 3 })
        {
            Assert.Equal(DropReason.None, Deliver(b, packets[index], 10, ref collector));
        }
        Assert.Equal(DropReason.Duplicate, Deliver(b, packets[2], 11, ref collector));
        Assert.Equal(5, collector.Messages.Count);
    }

    [Fact]
    public void A_malformed_message_drops_the_whole_packet_without_side_effects()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        a.QueueUnreliable("good"u8);
        var packet = Poll(a, 1);
        var truncated = packet.AsSpan(0, packet.Length - 1).ToArray();
        Assert.Equal(DropReason.MalformedMessage, Deliver(b, truncated, 2, ref collector));
        var unknown = packet.ToArray();
        unknown[ProtocolConstants.SessionHeaderSize] = 0x7F;
        Assert.Equal(DropReason.UnknownMessage, Deliver(b, unknown, 2, ref collector));
        Assert.Null(collector.Messages);
        Assert.Equal(0, b.Stats.PacketsReceived);
        // The genuine packet still goes through afterwards: the bad ones did not consume its sequence.
        Assert.Equal(DropReason.None, Deliver(b, packet, 3, ref collector));
    }

    [Fact]
    public void Close_sends_the_reason_repeatedly_and_the_peer_closes()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        a.QueueUnreliable("dropped on close"u8);
        a.Close(DisconnectReason.ServerShuttingDown);
        var sent = new List<byte[]>();
        for (var packet = Poll(a, 5); packet.Length > 0; packet = Poll(a, 5))
        {
            sent.Add(packet);
        }
        Assert.Equal(3, sent.Count);
        Assert.Equal(DropReason.None, Deliver(b, sent[0], 6, ref collector));
        Assert.True(b.IsClosed);
        Assert.Equal(DisconnectReason.ServerShuttingDown, b.CloseReason);
        Assert.Null(collector.Messages);
        Assert.False(b.QueueUnreliable("late"u8));
    }

    [Fact]
    public void Silence_past_the_timeout_is_reported()
    {
        var a = new Connection(Id, s_options, 0);
        Assert.False(a.HasTimedOut(5_000_000));
        Assert.True(a.HasTimedOut(5_000_001));
    }

    [Fact]
    public void A_full_packet_refuses_more_messages()
    {
        var a = new Connection(Id, s_options, 0);
        var big = new byte[a.MaxMessageSize];
        Assert.True(a.QueueUnreliable(big));
        Assert.False(a.QueueUnreliable("x"u8));
        var packet = Poll(a, 1_000_000); // with a ping in it too
        Assert.True(packet.Length <= s_options.MaxPayload);
    }

    [Fact]
    public void Lost_packets_are_counted_from_the_ack_bits()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var collector = new Collector();
        for (var i = 0; i < 300; i++)
        {
            a.QueueUnreliable("m"u8);
            var packet = Poll(a, i + 1);
            if (i % 10 != 0)
            {
                Deliver(b, packet, i + 1, ref collector);
            }
            b.QueueUnreliable("r"u8);
            Deliver(a, Poll(b, i + 1), i + 1, ref collector);
        }
        // Packets fall out of the 256-slot ring as lost; about one in ten of those was.
        Assert.InRange(a.Stats.LossRatio, 0.05, 0.15);
    }
}
