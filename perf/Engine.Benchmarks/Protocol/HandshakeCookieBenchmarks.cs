using BenchmarkDotNet.Attributes;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;

namespace Engine.Benchmarks.Protocol;

/// <summary>Issuing and checking a challenge cookie: the work the server does for every hello before it keeps any state.</summary>
public class HandshakeCookieBenchmarks
{
    private readonly HandshakeCookies _cookies = new(HandshakeCookies.NewSecret());
    private readonly byte[] _address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1, 0x1E, 0x61];
    private readonly byte[] _cookie = new byte[ProtocolConstants.CookieSize];
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        _now = MonotonicClock.NowUs;
        _cookies.Issue(_address, 42, _now, _cookie);
    }

    [Benchmark]
    public byte Issue()
    {
        _cookies.Issue(_address, 42, _now, _cookie);
        return _cookie[8];
    }

    [Benchmark]
    public DropReason Verify() => _cookies.Verify(_address, 42, _cookie, _now + 1);
}
