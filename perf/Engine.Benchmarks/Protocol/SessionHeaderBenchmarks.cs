using BenchmarkDotNet.Attributes;
using Engine.Protocol;
using Engine.Protocol.Wire;

namespace Engine.Benchmarks.Protocol;

/// <summary>The 17-byte session header: the first thing the server does with every datagram, and the first thing it writes.</summary>
public class SessionHeaderBenchmarks
{
    private readonly byte[] _packet = new byte[64];
    private readonly SessionHeader _header = new(0x8F3A2C51D7E40B01, 5, 9, 5, true);

    [GlobalSetup]
    public void Setup() => _header.Write(_packet);

    [Benchmark]
    public ulong Parse()
    {
        var reason = SessionHeader.TryRead(_packet, out var header);
        return reason == DropReason.None ? header.ConnectionId : 0;
    }

    [Benchmark]
    public int Write() => _header.Write(_packet);
}
