using Engine.Client.Netcode;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>The shared prediction memo: a copy only for an identical baseline, so every client gets exactly what it would have computed.</summary>
public class PredictionMemoTests
{
    private const int Capacity = 50;

    [Fact]
    public void Every_prediction_equals_the_direct_one_through_hits_misses_and_evictions()
    {
        var memo = new PredictionMemo();
        var random = new Random(3);
        var baselines = Enumerable.Range(0, 100).Select(i => Room(random, tick: 300u + (uint)(i % 7))).ToArray();
        var viaMemo = new SnapshotFrame(Capacity);
        var direct = new SnapshotFrame(Capacity);
        for (var i = 0; i < 5_000; i++)
        {
            // A few rooms' baselines over and over (hits), and now and then one of many (evictions).
            var baseline = baselines[random.Next(4) == 0 ? random.Next(baselines.Length) : random.Next(5)];
            var ticks = (uint)random.Next(1, 10);
            memo.Extrapolate(baseline, ticks, 60, viaMemo);
            SnapshotPrediction.Extrapolate(baseline, ticks, 60, direct);
            Assert.True(viaMemo.Identical(direct), $"prediction {i} differs");
        }
        Assert.True(memo.Hits > memo.Misses, $"{memo.Hits} hits, {memo.Misses} misses");
    }

    [Fact]
    public void A_baseline_that_differs_in_any_value_even_of_an_absent_slot_is_predicted_afresh()
    {
        var memo = new PredictionMemo();
        var baseline = Room(new Random(9), tick: 500);
        var first = new SnapshotFrame(Capacity);
        memo.Extrapolate(baseline, 3, 60, first);

        var changed = new SnapshotFrame(Capacity);
        changed.CopyFrom(baseline);
        changed.Set(7, SnapshotField.PositionX, changed.Get(7, SnapshotField.PositionX) + 1);
        var second = new SnapshotFrame(Capacity);
        memo.Extrapolate(changed, 3, 60, second);
        Assert.Equal(2, memo.Misses);
        Assert.Equal(first.Get(7, SnapshotField.PositionX) + 1, second.Get(7, SnapshotField.PositionX));

        var absentChanged = new SnapshotFrame(Capacity);
        absentChanged.CopyFrom(baseline);
        absentChanged.Remove(Capacity - 1);
        absentChanged.Add(Capacity - 1);
        absentChanged.Remove(Capacity - 1); // absent again, values as before
        memo.Extrapolate(absentChanged, 3, 60, second);
        Assert.Equal(2, memo.Misses); // identical: a hit

        memo.Extrapolate(baseline, 4, 60, second); // other ticks
        memo.Extrapolate(baseline, 3, 30, second); // other tick rate
        Assert.Equal(4, memo.Misses);
        Assert.Equal(1, memo.Hits);
    }

    [Fact]
    public void A_hit_allocates_nothing()
    {
        var memo = new PredictionMemo();
        var baseline = Room(new Random(1), tick: 90);
        var destination = new SnapshotFrame(Capacity);
        memo.Extrapolate(baseline, 3, 60, destination);
        memo.Extrapolate(baseline, 3, 60, destination);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            memo.Extrapolate(baseline, 3, 60, destination);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>A room of players stepped by the arena's rule: runners, strafers, turners, a few in the air, one slot left empty.</summary>
    private static SnapshotFrame Room(Random random, uint tick)
    {
        var frame = new SnapshotFrame(Capacity);
        var settings = ArenaSettings.Default;
        for (var slot = 0; slot < Capacity - 1; slot++)
        {
            var state = new PlayerState { PositionX = random.Next(-20_000, 20_000), PositionZ = random.Next(-20_000, 20_000), Flags = PlayerFlags.Grounded };
            var yaw = (ushort)random.Next(65536);
            var turn = random.Next(3) == 0 ? random.Next(-300, 300) : 0;
            var input = new PlayerInput { Forward = (sbyte)random.Next(-127, 128), Right = (sbyte)random.Next(-127, 128) };
            var jumpAt = random.Next(8) == 0 ? 38 : -1;
            for (var step = 0; step < 40; step++)
            {
                yaw = (ushort)(yaw + turn);
                Movement.Step(ref state, input with { Yaw = yaw, Buttons = step == jumpAt ? InputButtons.Jump : InputButtons.None }, settings);
            }
            ArenaSnapshot.Write(frame, slot, state, (uint)slot + 1);
        }
        frame.Tick = tick;
        return frame;
    }
}
