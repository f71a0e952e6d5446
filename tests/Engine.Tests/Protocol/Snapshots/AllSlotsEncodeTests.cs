using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>The whole-frame encode (which skips unchanged slots a word at a time) writes exactly what the priority encode writes for every slot in order.</summary>
public class AllSlotsEncodeTests
{
    [Theory]
    [InlineData(1, 8192)]
    [InlineData(2, 8192)]
    [InlineData(3, 200)]
    [InlineData(4, 40)]
    [InlineData(5, 3)]
    public void Whole_frame_encode_equals_the_priority_encode_in_slot_order(int seed, int budget)
    {
        var random = new Random(seed);
        foreach (var capacity in new[] { 1, 10, 63, 64, 65, 130, 256 })
        {
            for (var round = 0; round < 40; round++)
            {
                var baseline = new SnapshotFrame(capacity) { Tick = 10 };
                var current = new SnapshotFrame(capacity) { Tick = 13 };
                for (var slot = 0; slot < capacity; slot++)
                {
                    if (random.Next(3) > 0)
                    {
                        baseline.Add(slot);
                        baseline.Set(slot, SnapshotField.PositionX, random.Next(-5000, 5000));
                        baseline.Set(slot, SnapshotField.Owner, slot + 1);
                    }
                    if (random.Next(3) > 0)
                    {
                        current.Add(slot);
                        current.Set(slot, SnapshotField.PositionX, random.Next(4) == 0 ? random.Next(-5000, 5000) : baseline.Get(slot, SnapshotField.PositionX));
                        current.Set(slot, SnapshotField.Owner, slot + 1);
                    }
                }
                var withBaseline = random.Next(4) > 0 ? baseline : null;
                foreach (var path in new[] { SimdPath.Scalar, SimdPath.Vector128, SimdPath.Vector256, SimdPath.Vector512 })
                {
                    var encoder = new DeltaEncoder(capacity);
                    var highWater = 0;
                    for (var slot = 0; slot < capacity; slot++)
                    {
                        if (current.IsPresent(slot) || (withBaseline?.IsPresent(slot) ?? false))
                        {
                            highWater = slot + 1;
                        }
                    }
                    var order = Enumerable.Range(0, highWater).Select(s => (ushort)s).ToArray();
                    var expected = new byte[8192];
                    var actual = new byte[8192];
                    var byPriority = encoder.Encode(current, withBaseline, order, default, expected, budget, path);
                    var whole = encoder.Encode(current, withBaseline, actual, budget, path);
                    Assert.Equal(byPriority, whole);
                    Assert.Equal(expected.AsSpan(0, byPriority.BytesWritten).ToArray(), actual.AsSpan(0, whole.BytesWritten).ToArray());
                }
            }
        }
    }
}
