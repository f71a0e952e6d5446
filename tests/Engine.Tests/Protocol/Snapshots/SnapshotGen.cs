using System.Runtime.Intrinsics;
using Engine.Protocol.Snapshots;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>Deterministic random frames for the property tests: built from a seed so a failing case replays.</summary>
internal static class SnapshotGen
{
    public static SnapshotFrame RandomFrame(Random random, int capacity, uint tick)
    {
        var frame = new SnapshotFrame(capacity) { Tick = tick };
        var density = random.NextDouble();
        for (var slot = 0; slot < capacity; slot++)
        {
            if (random.NextDouble() < density)
            {
                frame.Add(slot);
                for (var f = 0; f < SnapshotSchema.FieldCount; f++)
                {
                    frame.Set(slot, (SnapshotField)f, RandomValue(random));
                }
            }
        }
        return frame;
    }

    /// <summary>The baseline moved on: most entities change a little, some a lot, some leave, some arrive.</summary>
    public static SnapshotFrame Evolve(Random random, SnapshotFrame baseline, uint ticks)
    {
        var frame = new SnapshotFrame(baseline.Capacity);
        frame.CopyFrom(baseline);
        frame.Tick = baseline.Tick + ticks;
        var churn = random.NextDouble() * 0.3;
        var motion = random.NextDouble();
        for (var slot = 0; slot < frame.Capacity; slot++)
        {
            if (random.NextDouble() < churn)
            {
                if (frame.IsPresent(slot))
                {
                    frame.Remove(slot);
                }
                else
                {
                    frame.Add(slot);
                    for (var f = 0; f < SnapshotSchema.FieldCount; f++)
                    {
                        frame.Set(slot, (SnapshotField)f, RandomValue(random));
                    }
                }
                continue;
            }
            if (!frame.IsPresent(slot))
            {
                // Absent slots may hold leftovers; the codec must ignore them.
                if (random.Next(8) == 0)
                {
                    frame.Set(slot, (SnapshotField)random.Next(SnapshotSchema.FieldCount), random.Next());
                }
                continue;
            }
            for (var f = 0; f < SnapshotSchema.FieldCount; f++)
            {
                if (random.NextDouble() < motion)
                {
                    var field = (SnapshotField)f;
                    frame.Set(slot, field, unchecked(frame.Get(slot, field) + RandomDelta(random)));
                }
            }
        }
        return frame;
    }

    public static int RandomValue(Random random) => random.Next(10) switch
    {
        0 => 0,
        1 => int.MinValue,
        2 => int.MaxValue,
        3 or 4 => random.Next(int.MinValue, int.MaxValue),
        _ => random.Next(-20_000, 20_000),
    };

    public static int RandomDelta(Random random) => random.Next(10) switch
    {
        0 => random.Next(int.MinValue, int.MaxValue),
        1 => random.Next(-100_000, 100_000),
        _ => random.Next(-70, 70),
    };

    public static int MaxPayload(int capacity) => SnapshotHeader.MaxSize + capacity * 5 * (2 + SnapshotSchema.FieldCount);

    public static IEnumerable<SimdPath> SupportedPaths()
    {
        yield return SimdPath.Scalar;
        if (Vector128.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector128;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector256;
        }
        if (Vector512.IsHardwareAccelerated)
        {
            yield return SimdPath.Vector512;
        }
    }
}
