using CsCheck;
using Engine.Protocol;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>The delta codec on random world states: exact round trips, identical bytes on every SIMD path, budgets kept.</summary>
public class DeltaCodecPropertyTests
{
    // Capacities around the vector widths and the 64-slot padding, and the arena's 256.
    private static readonly int[] s_capacityChoices = [1, 3, 16, 17, 63, 64, 65, 100, 256, 300];
    private static readonly Gen<int> s_capacities = Gen.Int[0, s_capacityChoices.Length - 1].Select(i => s_capacityChoices[i]);
    private static readonly Gen<(int Capacity, int Seed)> s_cases = Gen.Select(s_capacities, Gen.Int);

    [Fact]
    public void Delta_against_a_random_baseline_round_trips_exactly()
    {
        s_cases.Sample(c =>
        {
            var random = new Random(c.Seed);
            var baseline = SnapshotGen.RandomFrame(random, c.Capacity, (uint)random.Next());
            var current = SnapshotGen.Evolve(random, baseline, (uint)random.Next(1, 400));
            var encoder = new DeltaEncoder(c.Capacity);
            var buffer = new byte[SnapshotGen.MaxPayload(c.Capacity)];

            var result = encoder.Encode(current, baseline, buffer, buffer.Length);
            Assert.True(result.Complete);
            var decoded = new SnapshotFrame(c.Capacity);
            Assert.Equal(DropReason.None, DeltaDecoder.Decode(baseline, buffer.AsSpan(0, result.BytesWritten), decoded));
            Assert.True(decoded.ContentEquals(current));
        }, iter: 3_000);
    }

    [Fact]
    public void Full_state_without_a_baseline_round_trips_exactly()
    {
        s_cases.Sample(c =>
        {
            var random = new Random(c.Seed);
            var current = SnapshotGen.RandomFrame(random, c.Capacity, (uint)random.Next());
            var encoder = new DeltaEncoder(c.Capacity);
            var buffer = new byte[SnapshotGen.MaxPayload(c.Capacity)];

            var result = encoder.Encode(current, null, buffer, buffer.Length);
            Assert.True(result.Complete);
            // A stale frame in the destination must not leak into a full state.
            var decoded = SnapshotGen.RandomFrame(random, c.Capacity, 5);
            Assert.Equal(DropReason.None, DeltaDecoder.Decode(null, buffer.AsSpan(0, result.BytesWritten), decoded));
            Assert.True(decoded.ContentEquals(current));
        }, iter: 2_000);
    }

    [Fact]
    public void Every_simd_path_writes_the_same_bytes()
    {
        var paths = SnapshotGen.SupportedPaths().ToArray();
        Assert.Contains(SimdPath.Scalar, paths);
        s_cases.Sample(c =>
        {
            var random = new Random(c.Seed);
            var baseline = SnapshotGen.RandomFrame(random, c.Capacity, 1000);
            var current = SnapshotGen.Evolve(random, baseline, 3);
            var encoder = new DeltaEncoder(c.Capacity);
            var expected = new byte[SnapshotGen.MaxPayload(c.Capacity)];
            var expectedLength = encoder.Encode(current, baseline, expected, expected.Length, SimdPath.Scalar).BytesWritten;
            var actual = new byte[expected.Length];
            foreach (var path in paths)
            {
                var length = encoder.Encode(current, baseline, actual, actual.Length, path).BytesWritten;
                Assert.True(expected.AsSpan(0, expectedLength).SequenceEqual(actual.AsSpan(0, length)), $"{path} differs from scalar");
            }
        }, iter: 1_000);
    }

    [Fact]
    public void Every_simd_kernel_computes_the_same_diffs_and_masks()
    {
        var paths = SnapshotGen.SupportedPaths().ToArray();
        s_cases.Sample(c =>
        {
            var random = new Random(c.Seed);
            var baseline = SnapshotGen.RandomFrame(random, c.Capacity, 1000);
            var current = SnapshotGen.Evolve(random, baseline, 3);
            var stride = current.Stride;
            var size = SnapshotSchema.FieldCount * stride;
            var expectedZigzag = new uint[size];
            var expectedMasks = new uint[stride];
            DeltaEncoder.DiffScalar(current.Values, baseline.Values, expectedZigzag, expectedMasks, stride, stride);
            foreach (var path in paths)
            {
                var zigzag = new uint[size];
                var masks = new uint[stride];
                Action<int[], int[], uint[], uint[], int, int> kernel = path switch
                {
                    SimdPath.Vector128 => DeltaEncoder.DiffVector128,
                    SimdPath.Vector256 => DeltaEncoder.DiffVector256,
                    SimdPath.Vector512 => DeltaEncoder.DiffVector512,
                    _ => DeltaEncoder.DiffScalar,
                };
                kernel(current.Values, baseline.Values, zigzag, masks, stride, stride);
                Assert.Equal(expectedZigzag, zigzag);
                Assert.Equal(expectedMasks, masks);
            }
        }, iter: 500);
    }

    [Fact]
    public void Budget_is_respected_and_the_client_holds_exactly_the_included_slots()
    {
        Gen.Select(s_cases, Gen.Int[0, 100], Gen.Bool).Sample((c, budgetPercent, withBaseline) =>
        {
            var random = new Random(c.Seed);
            var baseline = SnapshotGen.RandomFrame(random, c.Capacity, 77);
            var current = SnapshotGen.Evolve(random, baseline, 6);
            var encoder = new DeltaEncoder(c.Capacity);
            var reference = withBaseline ? baseline : null;

            // A random priority order over a random subset of slots, with a repeat.
            var priority = Enumerable.Range(0, c.Capacity).Select(s => (ushort)s).OrderBy(_ => random.Next()).Take(random.Next(c.Capacity + 1)).ToList();
            if (priority.Count > 0)
            {
                priority.Add(priority[random.Next(priority.Count)]);
            }
            var buffer = new byte[SnapshotGen.MaxPayload(c.Capacity)];
            var fullSize = encoder.Encode(current, reference, priority.ToArray(), default, buffer, buffer.Length).BytesWritten;
            var budget = fullSize * budgetPercent / 100;
            var included = new ushort[priority.Count];
            Array.Fill(buffer, (byte)0xEE);
            var result = encoder.Encode(current, reference, priority.ToArray(), included, buffer, budget);

            Assert.InRange(result.BytesWritten, 0, budget);
            // The encoder may use its budget as scratch, never a byte past it.
            Assert.All(buffer.Skip(budget), b => Assert.Equal(0xEE, b));
            Assert.Equal(result.Included == priority.Distinct().Count(), result.Complete);
            if (result.BytesWritten == 0)
            {
                Assert.True(budget < SnapshotHeader.MaxSize);
                return;
            }
            Assert.Equal(DropReason.None, SnapshotHeader.TryRead(buffer.AsSpan(0, result.BytesWritten), out var header, out _));
            Assert.Equal(!result.Complete, header.Partial);

            var decoded = new SnapshotFrame(c.Capacity);
            Assert.Equal(DropReason.None, DeltaDecoder.Decode(reference, buffer.AsSpan(0, result.BytesWritten), decoded));
            var includedSet = included.Take(result.Included).ToHashSet();
            Assert.Equal(result.Included, includedSet.Count);
            for (var slot = 0; slot < c.Capacity; slot++)
            {
                // Included slots are up to date; every other slot still holds the baseline (or nothing).
                var expected = includedSet.Contains((ushort)slot) ? current : reference;
                var present = expected?.IsPresent(slot) ?? false;
                Assert.Equal(present, decoded.IsPresent(slot));
                for (var f = 0; present && f < SnapshotSchema.FieldCount; f++)
                {
                    Assert.Equal(expected!.Get(slot, (SnapshotField)f), decoded.Get(slot, (SnapshotField)f));
                }
            }
        }, iter: 2_000);
    }

    [Fact]
    public void Random_bytes_never_throw_in_the_decoder()
    {
        var random = new Random(11);
        var baseline = SnapshotGen.RandomFrame(random, 100, 40);
        var destination = new SnapshotFrame(100);
        Gen.Select(Gen.Byte.Array[0, 1300], Gen.Bool).Sample((bytes, validHeader) =>
        {
            if (validHeader && bytes.Length >= 3)
            {
                // Get past the header so the record parser sees the garbage.
                bytes[0] = SnapshotSchema.FieldCount;
                bytes[1] = 42;
                bytes[2] = 2;
            }
            var reason = DeltaDecoder.Decode(baseline, bytes, destination);
            Assert.True(reason is DropReason.None or DropReason.MalformedSnapshot or DropReason.Stale, reason.ToString());
        }, iter: 30_000);
    }

    [Fact]
    public void Mutated_encodings_never_throw_in_the_decoder()
    {
        Gen.Select(s_cases, Gen.Int[0, 4], Gen.Int, Gen.Byte).Sample((c, mode, where, value) =>
        {
            var random = new Random(c.Seed);
            var baseline = SnapshotGen.RandomFrame(random, c.Capacity, 500);
            var current = SnapshotGen.Evolve(random, baseline, 9);
            var buffer = new byte[SnapshotGen.MaxPayload(c.Capacity)];
            var length = new DeltaEncoder(c.Capacity).Encode(current, baseline, buffer, buffer.Length).BytesWritten;
            var valid = buffer.AsSpan(0, length).ToArray();
            var position = (int)((uint)where % (uint)valid.Length);
            byte[] mutated = mode switch
            {
                0 => [.. valid[..position], value, .. valid[(position + 1)..]],
                1 => valid[..position],
                2 => [.. valid[..position], value, .. valid[position..]],
                3 => [.. valid[..position], .. valid[(position + 1)..]],
                _ => [.. valid[..position], (byte)(valid[position] ^ (1 << (value & 7))), .. valid[(position + 1)..]],
            };
            var destination = new SnapshotFrame(c.Capacity);
            var reason = DeltaDecoder.Decode(baseline, mutated, destination);
            Assert.True(reason is DropReason.None or DropReason.MalformedSnapshot or DropReason.Stale, reason.ToString());
        }, iter: 10_000);
    }

    [Fact]
    public void A_delta_against_another_baseline_is_stale_not_misapplied()
    {
        var random = new Random(3);
        var baseline = SnapshotGen.RandomFrame(random, 64, 100);
        var current = SnapshotGen.Evolve(random, baseline, 3);
        var buffer = new byte[SnapshotGen.MaxPayload(64)];
        var length = new DeltaEncoder(64).Encode(current, baseline, buffer, buffer.Length).BytesWritten;
        var other = SnapshotGen.RandomFrame(random, 64, 97);
        var destination = new SnapshotFrame(64);

        Assert.Equal(DropReason.Stale, DeltaDecoder.Decode(other, buffer.AsSpan(0, length), destination));
        Assert.Equal(DropReason.Stale, DeltaDecoder.Decode(null, buffer.AsSpan(0, length), destination));
        Assert.Equal(DropReason.None, SnapshotHeader.TryRead(buffer, out var header, out _));
        Assert.Equal(100u, header.BaselineTick);
        Assert.Equal(103u, header.Tick);
    }

    [Fact]
    public void A_foreign_schema_is_malformed()
    {
        var frame = new SnapshotFrame(16) { Tick = 9 };
        var buffer = new byte[64];
        var length = new DeltaEncoder(16).Encode(frame, null, buffer, buffer.Length).BytesWritten;
        buffer[0] = SnapshotSchema.FieldCount + 1;
        Assert.Equal(DropReason.MalformedSnapshot, DeltaDecoder.Decode(null, buffer.AsSpan(0, length), new SnapshotFrame(16)));
    }

    [Fact]
    public void The_documented_example_is_what_the_encoder_writes()
    {
        var baseline = new SnapshotFrame(256) { Tick = 291 };
        baseline.Add(5);
        baseline.Set(5, SnapshotField.PositionX, 1000);
        baseline.Set(5, SnapshotField.PositionY, -400);
        baseline.Add(7);
        var current = new SnapshotFrame(256);
        current.CopyFrom(baseline);
        current.Tick = 300;
        current.Set(5, SnapshotField.PositionX, 1012);
        current.Set(5, SnapshotField.PositionY, -430);
        current.Remove(7);
        current.Add(40);
        current.Set(40, SnapshotField.PositionX, 150);
        current.Set(40, SnapshotField.Flags, (int)SnapshotFlags.Grounded);
        current.Set(40, SnapshotField.Owner, 1001);
        var buffer = new byte[64];

        var result = new DeltaEncoder(256).Encode(current, baseline, buffer, buffer.Length);

        byte[] expected = [0x0C, 0xAC, 0x02, 0x09, 0x14, 0x03, 0x18, 0x3B, 0x1E, 0xA1, 0x01, 0x81, 0x06, 0xAC, 0x02, 0x02, 0xD2, 0x0F];
        Assert.Equal(expected, buffer.AsSpan(0, result.BytesWritten).ToArray());
    }
}
