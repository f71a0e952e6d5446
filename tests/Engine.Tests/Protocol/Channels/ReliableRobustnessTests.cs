using CsCheck;
using Engine.Protocol;
using Engine.Protocol.Channels;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol.Channels;

/// <summary>Hostile input: floods stay within a fixed memory bound, random units never throw, steady state allocates nothing.</summary>
public class ReliableRobustnessTests
{
    private const ulong Id = 0x4242;

    /// <summary>Counts deliveries without allocating, for the allocation tests.</summary>
    private readonly struct Counting(int[] counts) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload) => counts[0]++;

        public void OnReliable(ReadOnlySpan<byte> payload)
        {
            counts[1]++;
            counts[2] += payload.Length;
        }

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => counts[0]++;
    }

    private static DropReason Deliver<THandler>(Connection to, Span<byte> packet, long now, ref THandler handler)
        where THandler : struct, IMessageHandler
    {
        var reason = SessionHeader.TryRead(packet, out var header);
        return reason != DropReason.None ? reason : to.Receive(header, packet, now, ref handler);
    }

    [Fact]
    public void A_flood_of_fragments_and_far_ids_is_dropped_and_counted_without_growth()
    {
        var b = new Connection(Id, ConnectionOptions.Default, 0);
        var handler = new Counting(new int[3]);
        var data = new byte[1100];
        // A fragment chain that runs past 64 KiB, then units that fill every hold slot ahead of an id
        // that never comes (and again: duplicates), and ids past the window.
        var packets = new List<byte[]>();
        ushort sequence = 0;
        ushort id = 0;
        for (var i = 0; i < 100; i++)
        {
            packets.Add(ReliableUnits.Packet(sequence++, ReliableUnits.Fragment(id++, (ushort)i, ReliableChannel.MaxFragmentCount, data)));
        }
        for (var round = 0; round < 2000; round++)
        {
            packets.Add(ReliableUnits.Packet(sequence++, ReliableUnits.Fragment((ushort)(id + 1 + (round % 63)), 0, 2, data)));
            packets.Add(ReliableUnits.Packet(sequence++, ReliableUnits.Reliable((ushort)(id + ReliableChannel.Window + (round % 1000)), data)));
        }
        // The first pass allocates the hold slots and grows the assembly buffer, once; Reset keeps
        // them (as a pooled session does), and the second pass must not allocate or grow at all.
        Flood(b, packets, ref handler);
        var retained = b.ReliableReceiver.RetainedBytes;
        b.Reset(Id, 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Flood(b, packets, ref handler);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(retained, b.ReliableReceiver.RetainedBytes);
        // One window of units plus one message being assembled, against 4.5 MB of flood.
        var slotBytes = ConnectionOptions.Default.MaxPayload - ProtocolConstants.SessionHeaderSize;
        Assert.Equal((ReliableChannel.Window * slotBytes) + ReliableChannel.MaxMessageSize, b.ReliableReceiver.MaxRetainedBytes);
        Assert.InRange(retained, 1, b.ReliableReceiver.MaxRetainedBytes);
        Assert.Equal(2000, b.Stats.ReliableOutOfWindow);
        Assert.Equal(100, b.Stats.ReliableFragmentsDropped); // 59 appended then abandoned at the cap, and every one after
        Assert.Equal(2000 - 63, b.Stats.ReliableDuplicates);
        Assert.Equal(0, b.Stats.ReliableDelivered);
        Assert.Equal((63 * slotBytes) + ReliableChannel.MaxMessageSize, retained);
    }

    [Fact]
    public void A_hold_store_passed_on_by_a_connection_with_another_packet_size_keeps_none_of_its_buffers()
    {
        // The pool is per thread: a thread of its own so no other test's stores are in it.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var handler = new Counting(new int[3]);
                var small = new Connection(Id, ConnectionOptions.Default with { MaxPayload = 300 }, 0);
                Deliver(small, ReliableUnits.Packet(0, ReliableUnits.Reliable(5, new byte[100])), 1, ref handler); // held: 0..4 missing
                Assert.True(small.ReliableReceiver.RetainedBytes > 0);
                small.Reset(Id, 0); // gives the store back to the thread's pool

                var large = new Connection(Id, ConnectionOptions.Default, 0);
                Deliver(large, ReliableUnits.Packet(0, ReliableUnits.Reliable(3, new byte[100])), 1, ref handler);
                var slotBytes = ConnectionOptions.Default.MaxPayload - ProtocolConstants.SessionHeaderSize;
                Assert.Equal(slotBytes, large.ReliableReceiver.RetainedBytes); // slot 3 only, not slot 5 of the small one
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    private static void Flood(Connection to, List<byte[]> packets, ref Counting handler)
    {
        for (var i = 0; i < packets.Count; i++)
        {
            Deliver(to, packets[i], 1, ref handler);
        }
    }

    [Fact]
    public void Random_bytes_in_reliable_and_fragment_units_never_throw()
    {
        var kinds = Gen.Bool.Select(fragment => fragment ? MessageKind.ReliableFragment : MessageKind.Reliable);
        var unit = Gen.Select(kinds, Gen.Byte.Array[0, 40], Gen.Int[0, 3]);
        unit.Array[1, 8].Sample(units =>
        {
            var messages = new List<byte[]>();
            foreach (var (kind, bytes, shape) in units)
            {
                var payload = bytes;
                if (kind == MessageKind.ReliableFragment && shape > 0 && payload.Length >= 6)
                {
                    // Often make the header plausible so reassembly, not validation, sees it.
                    payload[2] = (byte)(payload[2] % 4);
                    payload[3] = 0;
                    payload[4] = (byte)(2 + (payload[4] % 3));
                    payload[5] = 0;
                }
                if (shape > 0 && payload.Length >= 2)
                {
                    payload[1] = 0; // ids near the window, so units are held and delivered
                    payload[0] %= 8;
                }
                var message = ReliableUnits.Message(kind, payload);
                if (shape == 3)
                {
                    message = message[..Math.Max(1, message.Length - 1)]; // and some truncated
                }
                messages.Add(message);
            }
            var b = new Connection(Id, ConnectionOptions.Default, 0);
            var collector = new ConnectionTests.Collector();
            var reason = Deliver(b, ReliableUnits.Packet(3, [.. messages]), 1, ref collector);
            if (reason != DropReason.None)
            {
                Assert.Null(collector.Reliable);
                Assert.Equal(0, b.Stats.PacketsReceived);
            }
            else
            {
                Assert.Equal(collector.Reliable?.Count ?? 0, b.Stats.ReliableDelivered);
            }
            Connection.Validate(messages.SelectMany(m => m).ToArray());
        }, iter: 20_000);
    }

    [Fact]
    public void A_long_random_stream_of_units_into_one_receiver_never_throws_and_stays_bounded()
    {
        var b = new Connection(Id, ConnectionOptions.Default, 0);
        var handler = new Counting(new int[3]);
        ushort sequence = 0;
        var unit = Gen.Select(Gen.Bool, Gen.UShort[0, 80], Gen.UShort[0, 5], Gen.UShort[0, 6], Gen.Int[1, 1150]);
        unit.Sample((fragment, id, index, count, length) =>
        {
            var data = new byte[length];
            var message = fragment ? ReliableUnits.Fragment(id, index, count, data) : ReliableUnits.Reliable(id, data);
            Deliver(b, ReliableUnits.Packet(sequence++, message), 1, ref handler);
        }, iter: 20_000, threads: 1);
        Assert.True(b.ReliableReceiver.RetainedBytes <= b.ReliableReceiver.MaxRetainedBytes);
    }

    [Fact]
    public void Steady_state_reliable_send_and_receive_allocate_nothing()
    {
        var a = new Connection(Id, ConnectionOptions.Default, 0);
        var b = new Connection(Id, ConnectionOptions.Default, 0);
        var counts = new int[3];
        var atA = new Counting(new int[3]);
        var atB = new Counting(counts);
        var small = new byte[48];
        var large = new byte[5000]; // five fragments
        var packet = new byte[ProtocolConstants.MaxDatagram];
        var now = 0L;

        void Round(int i)
        {
            a.QueueReliable(small);
            if (i % 4 == 0)
            {
                a.QueueReliable(large);
            }
            now += 16_000;
            int length;
            while ((length = a.PollSend(packet, now)) > 0)
            {
                if (i % 7 != 3)
                {
                    Deliver(b, packet.AsSpan(0, length), now, ref atB); // some lost, so resends happen too
                }
            }
            while ((length = b.PollSend(packet, now)) > 0)
            {
                Deliver(a, packet.AsSpan(0, length), now, ref atA);
            }
        }

        for (var i = 0; i < 500; i++)
        {
            Round(i);
        }
        var deliveredBefore = counts[1];
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 500; i < 2500; i++)
        {
            Round(i);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(counts[1] - deliveredBefore > 2000);
        Assert.True(a.Stats.ReliableResent > 0);
    }
}
