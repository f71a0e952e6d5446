using Engine.Protocol;
using Engine.Protocol.Snapshots;
using Engine.Server.Snapshots;
using Xunit;

namespace Engine.Tests.Snapshots;

/// <summary>
/// The server's copy of a client's view must equal what the client decoded, whatever the budget
/// cut out of each snapshot and whichever snapshots or acknowledgements were lost.
/// </summary>
public class SnapshotViewTests
{
    private const int Capacity = 48;
    private const int TickRate = 60;

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(2, 300)]
    [InlineData(3, 120)]
    [InlineData(4, 60)]
    public void The_view_matches_the_clients_decoded_frame_under_partial_snapshots_and_loss(int seed, int budget)
    {
        var random = new Random(seed);
        var history = new SnapshotHistory(Capacity);
        var encoder = new DeltaEncoder(Capacity);
        var view = new SnapshotView(Capacity);
        var clientFrames = new SnapshotHistory(Capacity);
        var order = new ushort[Capacity];
        var included = new ushort[Capacity];
        var buffer = new byte[8192];
        var decoded = new SnapshotFrame(Capacity);
        var serverPredicted = new SnapshotFrame(Capacity);
        var clientPredicted = new SnapshotFrame(Capacity);
        var checkedAcks = 0;
        var partials = 0;

        for (uint tick = 3; tick < 3 * 400; tick += 3)
        {
            var frame = history.Push(tick);
            for (var slot = 0; slot < Capacity; slot++)
            {
                if (random.Next(50) == 0)
                {
                    if (frame.IsPresent(slot)) { frame.Remove(slot); } else { frame.Add(slot); }
                }
                if (frame.IsPresent(slot))
                {
                    if (random.Next(10) == 0)
                    {
                        frame.Set(slot, SnapshotField.VelocityX, random.Next(-6000, 6001));
                    }
                    frame.Set(slot, SnapshotField.PositionX, frame.Get(slot, SnapshotField.PositionX) + (3 * (frame.Get(slot, SnapshotField.VelocityX) / TickRate)) + random.Next(-2, 3));
                    frame.Set(slot, SnapshotField.PositionZ, frame.Get(slot, SnapshotField.PositionZ) + random.Next(-40, 41));
                    frame.Set(slot, SnapshotField.Owner, slot + 1000);
                }
            }
            var count = 0;
            for (var slot = 0; slot < Capacity; slot++)
            {
                if (frame.IsPresent(slot) || (view.Baseline(history)?.IsPresent(slot) ?? false))
                {
                    order[count++] = (ushort)slot;
                }
            }
            random.Shuffle(order.AsSpan(0, count));
            SnapshotFrame? predicted = null;
            if (view.Baseline(history) is { } viewFrame)
            {
                SnapshotPrediction.Extrapolate(viewFrame, tick - view.Tick, TickRate, serverPredicted);
                predicted = serverPredicted;
            }
            var result = encoder.Encode(frame, predicted, order.AsSpan(0, count), included.AsSpan(0, count), buffer, budget);
            view.RecordSent(tick, included.AsSpan(0, result.Included), result.Complete);
            partials += result.Complete ? 0 : 1;

            if (random.Next(10) < 2)
            {
                continue; // the snapshot is lost
            }
            // The client decodes against its own stored frame of the baseline tick.
            Assert.Equal(DropReason.None, SnapshotHeader.TryRead(buffer.AsSpan(0, result.BytesWritten), out var header, out _));
            SnapshotFrame? baseline = null;
            if (header.HasBaseline)
            {
                Assert.True(clientFrames.TryGet(header.BaselineTick, out baseline), "the client still holds the baseline it acknowledged");
                SnapshotPrediction.Extrapolate(baseline, header.Tick - header.BaselineTick, TickRate, clientPredicted);
                baseline = clientPredicted;
            }
            Assert.Equal(DropReason.None, DeltaDecoder.Decode(baseline, buffer.AsSpan(0, result.BytesWritten), decoded));
            clientFrames.Push(tick).CopyFrom(decoded);

            if (random.Next(10) < 2)
            {
                continue; // the acknowledgement is lost
            }
            if (view.Acknowledge(tick, history, TickRate))
            {
                Assert.True(view.Baseline(history)!.ContentEquals(decoded), $"view of tick {tick} differs from the client's frame");
                checkedAcks++;
            }
        }
        Assert.True(checkedAcks > 100, $"only {checkedAcks} acknowledgements checked");
        if (budget < 200)
        {
            Assert.True(partials > 50, $"only {partials} partial snapshots: the budget did not bite");
        }
    }

    [Fact]
    public void A_view_on_complete_snapshots_reads_the_rooms_frame_and_starts_over_once_it_leaves_the_history()
    {
        var history = new SnapshotHistory(Capacity, SnapshotView.Remembered + 1);
        var view = new SnapshotView(Capacity);
        var first = history.Push(3);
        first.Add(1);
        view.RecordSent(3, default, complete: true);
        Assert.True(view.Acknowledge(3, history, TickRate));

        Assert.Same(first, view.Baseline(history)); // shared, not copied
        Assert.True(view.IsServerFrame);

        for (uint tick = 6; tick <= 3 * (SnapshotView.Remembered + 2); tick += 3)
        {
            history.Push(tick);
        }
        Assert.Null(view.Baseline(history)); // tick 3 is gone: the next snapshot is a full state
        Assert.Equal(0u, view.Tick);
    }

    [Fact]
    public void A_partial_snapshot_and_its_acknowledgement_allocate_nothing_once_the_room_has_a_spare_frame()
    {
        var history = new SnapshotHistory(Capacity, SnapshotView.Remembered + 1);
        history.ReturnSpare(history.RentSpare()); // a frame another view of the room gave back
        var view = new SnapshotView(Capacity);
        var frame = history.Push(3);
        frame.Add(1);
        frame.Add(2);
        ushort[] included = [1];

        var before = GC.GetAllocatedBytesForCurrentThread();
        view.RecordSent(3, included, complete: false);
        var acknowledged = view.Acknowledge(3, history, TickRate);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(acknowledged);
        Assert.False(view.IsServerFrame); // the view's own frame, borrowed from the history's spares
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_view_gives_its_own_frame_back_when_a_complete_snapshot_is_acknowledged_and_the_next_view_reuses_it()
    {
        var history = new SnapshotHistory(Capacity, SnapshotView.Remembered + 1);
        var first = new SnapshotView(Capacity);
        var second = new SnapshotView(Capacity);
        var frame = history.Push(3);
        frame.Add(1);
        frame.Add(2);
        first.RecordSent(3, [1], complete: false);
        Assert.True(first.Acknowledge(3, history, TickRate));
        var own = first.Baseline(history);
        Assert.NotNull(own);
        Assert.False(first.IsServerFrame);
        Assert.False(own.IsPresent(2)); // the slot the partial snapshot left out is not in the client's frame

        history.Push(6);
        first.RecordSent(6, [], complete: true);
        Assert.True(first.Acknowledge(6, history, TickRate));
        Assert.True(first.IsServerFrame);

        history.Push(9);
        second.RecordSent(9, [2], complete: false);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(second.Acknowledge(9, history, TickRate));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Same(own, second.Baseline(history));
        Assert.True(second.Baseline(history)!.IsPresent(2));
        Assert.False(second.Baseline(history)!.IsPresent(1)); // reused, yet cleared: a view from nothing holds only what it was sent
    }
}
