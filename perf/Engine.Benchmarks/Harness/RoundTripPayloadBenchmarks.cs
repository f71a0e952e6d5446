using BenchmarkDotNet.Attributes;
using Engine.Benchmarks.PingPong;

namespace Engine.Benchmarks.Harness;

/// <summary>
/// The ping-pong harness's own per-message work: writing a ping payload and reading the echo
/// back. It sits on the client side of every round trip, so it should cost nanoseconds and
/// allocate nothing.
/// </summary>
public class RoundTripPayloadBenchmarks
{
    private readonly byte[] _buffer = new byte[32];

    [GlobalSetup]
    public void Setup() => RoundTripPayload.Write(_buffer, 7, 42, 123_456_789);

    [Benchmark]
    public void Write() => RoundTripPayload.Write(_buffer, 7, 42, 123_456_789);

    [Benchmark]
    public long Read()
    {
        RoundTripPayload.TryRead(_buffer, out int client, out uint sequence, out long sent);
        return client + sequence + sent;
    }
}
