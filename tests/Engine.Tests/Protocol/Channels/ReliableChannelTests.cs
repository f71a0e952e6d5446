using Engine.Protocol;
using Engine.Protocol.Channels;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol.Channels;

/// <summary>The reliable channel's rules one at a time: limits, resend timing, acks, fairness, reset, bad units.</summary>
public class ReliableChannelTests
{
    private const ulong Id = 0x4242;
    private static readonly ConnectionOptions s_options = new() { TimeoutUs = 5_000_000, PingIntervalUs = 1_000_000 };

    private static byte[] Poll(Connection from, long now)
    {
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        return buffer.AsSpan(0, from.PollSend(buffer, now)).ToArray();
    }

    private static DropReason Deliver(Connection to, byte[] packet, long now, ref ConnectionTests.Collector collector) =>
        ConnectionTests.Deliver(to, packet, now, ref collector);

    [Fact]
    public void Queue_refuses_more_than_64_KiB_and_a_full_buffer_and_a_closed_connection()
    {
        var a = new Connection(Id, s_options, 0);
        Assert.False(a.QueueReliable(new byte[ReliableChannel.MaxMessageSize + 1]));
        Assert.True(a.QueueReliable(new byte[ReliableChannel.MaxMessageSize]));
        Assert.True(a.QueueReliable(new byte[ReliableChannel.MaxMessageSize]));
        Assert.False(a.QueueReliable(new byte[ReliableChannel.MaxMessageSize])); // the 128 KiB send buffer is full
        Assert.False(a.QueueReliable(new byte[100])); // nothing fits until acks free space
        Assert.Equal(ReliableSender.MaxBufferBytes, a.ReliableSender.RetainedBufferBytes);

        var b = new Connection(Id, s_options, 0);
        var accepted = 0;
        while (b.QueueReliable("x"u8))
        {
            accepted++;
        }
        Assert.InRange(accepted, ReliableChannel.Window, 4096); // the unit slots bound tiny messages too

        var c = new Connection(Id, s_options, 0);
        c.Close(DisconnectReason.ClientRequest);
        Assert.False(c.QueueReliable("late"u8));
    }

    [Fact]
    public void A_reliable_message_goes_out_at_once_and_is_acknowledged_by_an_ack_only_reply()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var atA = new ConnectionTests.Collector();
        var atB = new ConnectionTests.Collector();
        Assert.False(a.HasOutput(10));
        Assert.True(a.QueueReliable("room op"u8));
        Assert.True(a.HasOutput(10));
        Assert.Equal(DropReason.None, Deliver(b, Poll(a, 10), 20, ref atB));
        Assert.Equal("room op"u8.ToArray(), Assert.Single(atB.Reliable));
        Assert.Null(atB.Messages);

        // b has nothing to say, but owes an ack: a header-only packet.
        Assert.True(b.HasOutput(20));
        var ack = Poll(b, 20);
        Assert.Equal(ProtocolConstants.SessionHeaderSize, ack.Length);
        Assert.False(b.HasOutput(21));
        Assert.Equal(DropReason.None, Deliver(a, ack, 30, ref atA));
        Assert.Equal(0, a.ReliablePending);
        Assert.Equal(1, a.Stats.ReliableAcked);
        Assert.False(a.HasOutput(1_000_000 - 1)); // nothing to resend
    }

    [Fact]
    public void An_unacknowledged_message_is_resent_after_the_timeout_with_backoff()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var atB = new ConnectionTests.Collector();
        a.QueueReliable("hello"u8);
        var lost = Poll(a, 0);
        Assert.NotEmpty(lost);
        var timeout = ReliableChannel.InitialResendTimeoutUs;
        Assert.False(a.HasOutput(timeout - 1));
        Assert.True(a.HasOutput(timeout));
        var resend = Poll(a, timeout);
        Assert.Equal(1, a.Stats.ReliableResent);
        // The second resend waits twice as long.
        Assert.False(a.HasOutput(timeout + (2 * timeout) - 1));
        Assert.True(a.HasOutput(timeout + (2 * timeout)));

        Assert.Equal(DropReason.None, Deliver(b, resend, timeout + 5, ref atB));
        Assert.Equal(DropReason.None, Deliver(b, lost, timeout + 6, ref atB)); // the first copy turns up late
        Assert.Equal("hello"u8.ToArray(), Assert.Single(atB.Reliable));
        Assert.Equal(1, b.Stats.ReliableDuplicates);
    }

    [Fact]
    public void The_resend_timeout_follows_the_measured_round_trip()
    {
        Assert.Equal(ReliableChannel.InitialResendTimeoutUs, ReliableChannel.ResendTimeoutUs(0, 0));
        Assert.Equal(ReliableChannel.MinResendTimeoutUs, ReliableChannel.ResendTimeoutUs(1_000, 100));
        Assert.Equal(80_000 + (4 * 10_000), ReliableChannel.ResendTimeoutUs(80_000, 10_000));
    }

    [Fact]
    public void Reliable_and_unreliable_share_packets_and_no_packet_exceeds_the_payload()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var atB = new ConnectionTests.Collector();
        var now = 1_000_000; // a ping is due too
        for (var round = 0; round < 20; round++)
        {
            Assert.True(a.QueueUnreliable(new byte[a.MaxMessageSize - 10]));
            Assert.True(a.QueueReliable(new byte[a.MaxMessageSize - 10]));
            var packets = 0;
            for (var packet = Poll(a, now); packet.Length > 0; packet = Poll(a, now))
            {
                Assert.True(packet.Length <= s_options.MaxPayload);
                Assert.Equal(DropReason.None, Deliver(b, packet, now, ref atB));
                packets++;
            }
            Assert.Equal(2, packets);
            now += 1_000;
            var ack = Poll(b, now);
            var atA = new ConnectionTests.Collector();
            Deliver(a, ack, now, ref atA);
        }
        Assert.Equal(20, atB.Messages!.Count);
        Assert.Equal(20, atB.Reliable!.Count);
    }

    [Fact]
    public void Reset_forgets_the_channel_so_a_pooled_connection_starts_clean()
    {
        var a = new Connection(Id, s_options, 0);
        var b = new Connection(Id, s_options, 0);
        var atB = new ConnectionTests.Collector();
        a.QueueReliable(new byte[5000]);
        Deliver(b, Poll(a, 1), 2, ref atB); // b is now part-way through assembling it
        Assert.True(a.ReliablePending > 0);

        a.Reset(Id, 100);
        b.Reset(Id, 100);
        Assert.Equal(0, a.ReliablePending);
        Assert.False(a.HasOutput(101));
        Assert.Equal(0, a.Stats.ReliableSent);

        var fresh = new ConnectionTests.Collector();
        a.QueueReliable("first after reset"u8);
        Deliver(b, Poll(a, 200), 201, ref fresh);
        Assert.Equal("first after reset"u8.ToArray(), Assert.Single(fresh.Reliable));
    }

    public static TheoryData<string, byte[]> MalformedUnits => new()
    {
        { "reliable without a whole id", ReliableUnits.Message(MessageKind.Reliable, [0x01]) },
        { "reliable with no payload", ReliableUnits.Message(MessageKind.Reliable, []) },
        { "fragment header only", ReliableUnits.Fragment(0, 0, 2, []) },
        { "fragment header cut short", ReliableUnits.Message(MessageKind.ReliableFragment, [0, 0, 0, 0, 2]) },
        { "fragment count 0", ReliableUnits.Fragment(0, 0, 0, [1]) },
        { "fragment count 1", ReliableUnits.Fragment(0, 0, 1, [1]) },
        { "fragment count past the limit", ReliableUnits.Fragment(0, 0, ReliableChannel.MaxFragmentCount + 1, [1]) },
        { "fragment index equal to count", ReliableUnits.Fragment(0, 2, 2, [1]) },
        { "length past the end", ReliableUnits.Reliable(0, [1, 2, 3])[..^1] },
    };

    [Theory]
    [MemberData(nameof(MalformedUnits))]
    public void A_malformed_reliable_unit_drops_the_whole_packet_with_no_side_effect(string name, byte[] bad)
    {
        var b = new Connection(Id, s_options, 0);
        var atB = new ConnectionTests.Collector();
        // A valid unit ahead of the bad one must not be delivered either.
        var packet = ReliableUnits.Packet(1, ReliableUnits.Reliable(0, "good"u8), bad);
        Assert.Equal(DropReason.MalformedMessage, Deliver(b, packet, 1, ref atB));
        Assert.Null(atB.Reliable);
        Assert.Equal(0, b.Stats.PacketsReceived);
        Assert.Equal(0, b.Stats.ReliableDelivered);
        Assert.False(b.HasOutput(2), name); // not even an ack is owed

        // The same sequence and id still go through: nothing moved.
        Assert.Equal(DropReason.None, Deliver(b, ReliableUnits.Packet(1, ReliableUnits.Reliable(0, "good"u8)), 3, ref atB));
        Assert.Equal("good"u8.ToArray(), Assert.Single(atB.Reliable));
    }

    [Fact]
    public void Units_past_the_window_and_inconsistent_fragments_are_dropped_and_counted()
    {
        var b = new Connection(Id, s_options, 0);
        var atB = new ConnectionTests.Collector();
        ushort sequence = 0;
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Reliable(ReliableChannel.Window, "far"u8)), 1, ref atB);
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Reliable(30_000, "very far"u8)), 1, ref atB);
        Assert.Equal(2, b.Stats.ReliableOutOfWindow);

        // Fragment 1 without fragment 0, then a message whose fragment count changes half-way.
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Fragment(0, 1, 3, [1])), 1, ref atB);
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Fragment(1, 0, 3, [1]), ReliableUnits.Fragment(2, 1, 4, [2])), 1, ref atB);
        Assert.Equal(3, b.Stats.ReliableFragmentsDropped);
        // Then a whole message interrupting a fragmented one: the partial message is dropped, the whole one delivered.
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Fragment(3, 0, 2, [1]), ReliableUnits.Reliable(4, "whole"u8)), 1, ref atB);
        Assert.Equal(4, b.Stats.ReliableFragmentsDropped);
        Assert.Equal("whole"u8.ToArray(), Assert.Single(atB.Reliable));
        // Ids 0..4 were all consumed in order: 5 is next, and an old id is a duplicate.
        Deliver(b, ReliableUnits.Packet(sequence++, ReliableUnits.Reliable(2, "old"u8), ReliableUnits.Reliable(5, "next"u8)), 1, ref atB);
        Assert.Equal(1, b.Stats.ReliableDuplicates);
        Assert.Equal("next"u8.ToArray(), atB.Reliable![^1]);
    }
}
