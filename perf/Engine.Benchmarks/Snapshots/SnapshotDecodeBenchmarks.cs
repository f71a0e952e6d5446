using BenchmarkDotNet.Attributes;
using Engine.Protocol;
using Engine.Protocol.Snapshots;

namespace Engine.Benchmarks.Snapshots;

/// <summary>The client's side of <see cref="SnapshotEncodeBenchmarks"/>: the same deltas, decoded (scalar; no SIMD path to choose).</summary>
public class SnapshotDecodeBenchmarks
{
    private const int Capacity = 256;
    private readonly SnapshotFrame _destination = new(Capacity);
    private readonly byte[] _buffer = new byte[8192];
    private readonly SnapshotEncodeBenchmarks _source = new();
    private SnapshotFrame _baseline = null!;
    private int _length;

    [Params(10, 50, 200)]
    public int Entities { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source.Entities = Entities;
        _source.Setup();
        (_baseline, var current) = _source.Frames;
        _length = new DeltaEncoder(Capacity).Encode(current, _baseline, _buffer, _buffer.Length).BytesWritten;
    }

    [Benchmark]
    public DropReason Decode() => DeltaDecoder.Decode(_baseline, _buffer.AsSpan(0, _length), _destination);
}
