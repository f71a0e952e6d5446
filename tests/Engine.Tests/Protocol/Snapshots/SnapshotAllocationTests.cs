using Engine.Protocol;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>Encode and decode allocate nothing once warm, on every SIMD path.</summary>
public class SnapshotAllocationTests
{
    [Fact]
    public void Encode_and_decode_allocate_nothing_after_warm_up()
    {
        var random = new Random(5);
        var baseline = SnapshotGen.RandomFrame(random, 256, 10);
        var current = SnapshotGen.Evolve(random, baseline, 3);
        var encoder = new DeltaEncoder(256);
        var destination = new SnapshotFrame(256);
        var buffer = new byte[1200];
        var priority = new ushort[256];
        var included = new ushort[256];
        for (var i = 0; i < priority.Length; i++)
        {
            priority[i] = (ushort)(255 - i);
        }
        var paths = SnapshotGen.SupportedPaths().Append(SimdPath.Auto).ToArray();

        var failures = 0;
        var bytes = 0L;
        for (var round = 0; round < 2; round++)
        {
            // Round 0 warms up (tiered JIT, statics); round 1 is measured.
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 2_000; i++)
            {
                var path = paths[i % paths.Length];
                var result = encoder.Encode(current, baseline, priority, included, buffer, 1200, path);
                failures += DeltaDecoder.Decode(baseline, buffer.AsSpan(0, result.BytesWritten), destination) == DropReason.None ? 0 : 1;
                var full = encoder.Encode(current, null, buffer, 1200, path);
                failures += DeltaDecoder.Decode(null, buffer.AsSpan(0, full.BytesWritten), destination) == DropReason.None ? 0 : 1;
            }
            bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, failures);
        Assert.Equal(0, bytes);
    }
}
