using BenchmarkDotNet.Attributes;
using Engine.Protocol.Snapshots;

namespace Engine.Benchmarks.Snapshots;

/// <summary>
/// One player's delta snapshot per SIMD path: <see cref="DiffKernel"/> is the compare-and-subtract
/// stage alone (all slots up to the highest present, rounded to 64), <see cref="Encode"/> the whole
/// encode (kernel, then records in priority order). Every entity moved a few centimetres, a third
/// also turned; the baseline is 9 ticks old, as a snapshot acked three snapshots ago.
/// <see cref="EncodeSteadyRoom"/> is what the server encodes in a steady room: the baseline
/// extrapolated by velocity, so only the players who turned have records.
/// </summary>
public class SnapshotEncodeBenchmarks
{
    private const int Capacity = 256;
    private readonly DeltaEncoder _encoder = new(Capacity);
    private readonly SnapshotFrame _baseline = new(Capacity);
    private readonly SnapshotFrame _current = new(Capacity);
    private readonly byte[] _buffer = new byte[8192];
    private readonly SnapshotFrame _steadyBaseline = new(Capacity);
    private readonly SnapshotFrame _steadyCurrent = new(Capacity);
    private ushort[] _priority = [];
    private ushort[] _included = [];
    private int _kernelSlots;

    [Params(10, 50, 200)]
    public int Entities { get; set; }

    [Params(SimdPath.Scalar, SimdPath.Vector128, SimdPath.Vector256, SimdPath.Vector512)]
    public SimdPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _baseline.Tick = 300;
        for (var slot = 0; slot < Entities; slot++)
        {
            _baseline.Add(slot);
            _baseline.Set(slot, SnapshotField.PositionX, random.Next(-3000, 3000));
            _baseline.Set(slot, SnapshotField.PositionY, random.Next(-3000, 3000));
            _baseline.Set(slot, SnapshotField.Yaw, random.Next(65536));
            _baseline.Set(slot, SnapshotField.Pitch, random.Next(-2000, 2000));
            _baseline.Set(slot, SnapshotField.VelocityX, random.Next(-240, 240));
            _baseline.Set(slot, SnapshotField.VelocityY, random.Next(-240, 240));
            _baseline.Set(slot, SnapshotField.Flags, (int)SnapshotFlags.Grounded);
            _baseline.Set(slot, SnapshotField.Owner, 1000 + slot);
        }
        _current.CopyFrom(_baseline);
        _current.Tick = 309;
        for (var slot = 0; slot < Entities; slot++)
        {
            _current.Set(slot, SnapshotField.PositionX, _baseline.Get(slot, SnapshotField.PositionX) + random.Next(-40, 40));
            _current.Set(slot, SnapshotField.PositionY, _baseline.Get(slot, SnapshotField.PositionY) + random.Next(-40, 40));
            if (slot % 3 == 0)
            {
                _current.Set(slot, SnapshotField.Yaw, random.Next(65536));
                _current.Set(slot, SnapshotField.VelocityX, random.Next(-240, 240));
                _current.Set(slot, SnapshotField.VelocityY, random.Next(-240, 240));
            }
        }
        // A steady room as the server encodes it now: the baseline dead-reckoned to this tick, every
        // player running with its velocity, one in twenty having turned since.
        SnapshotPrediction.Extrapolate(_baseline, 9, 60, _steadyBaseline);
        _steadyCurrent.CopyFrom(_steadyBaseline);
        _steadyCurrent.Tick = 309;
        for (var slot = 0; slot < Entities; slot += 20)
        {
            _steadyCurrent.Set(slot, SnapshotField.Yaw, random.Next(65536));
            _steadyCurrent.Set(slot, SnapshotField.VelocityX, random.Next(-6000, 6000));
            _steadyCurrent.Set(slot, SnapshotField.PositionX, _steadyCurrent.Get(slot, SnapshotField.PositionX) + random.Next(-300, 300));
        }
        _priority = Enumerable.Range(0, Entities).Select(s => (ushort)s).Reverse().ToArray();
        _included = new ushort[Entities];
        _kernelSlots = (Entities + 63) & ~63;
    }

    internal (SnapshotFrame Baseline, SnapshotFrame Current) Frames => (_baseline, _current);

    [Benchmark]
    public void DiffKernel() => _encoder.ComputeDiffs(_current, _baseline, _kernelSlots, Path);

    /// <summary>The whole-frame encode of a steady room against its dead-reckoned baseline, as the server's shared encodings run: few records, the kernel dominates.</summary>
    [Benchmark]
    public int EncodeSteadyRoom() => _encoder.Encode(_steadyCurrent, _steadyBaseline, _buffer, _buffer.Length, Path).BytesWritten;

    [Benchmark]
    public int Encode() => _encoder.Encode(_current, _baseline, _priority, _included, _buffer, _buffer.Length, Path).BytesWritten;
}
