using System.Diagnostics;
using HdrHistogram;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// Per-client in-flight bookkeeping and the RTT histogram, owned by the one client thread.
/// The controlling thread only flips <see cref="Measuring"/> and reads the results after the
/// client thread has stopped, so nothing here is shared while it runs.
/// </summary>
internal sealed class RoundTripRecorder
{
    // A reply later than this is presumed lost and the client sends a fresh ping; a late
    // reply for the old sequence is then ignored.
    public static readonly long LossTimeoutTicks = Stopwatch.Frequency / 2;

    private readonly long[] _sentTicks;
    private readonly uint[] _sequence;
    private readonly LongHistogram _histogram;
    private readonly double _ticksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;
    private volatile bool _measuring;

    public RoundTripRecorder(int clients)
    {
        _sentTicks = new long[clients];
        _sequence = new uint[clients];
        // Values are Stopwatch ticks; up to 10 s, 3 significant digits.
        _histogram = new LongHistogram(Math.Max(2, Stopwatch.Frequency * 10), 3);
    }

    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }

    public long RoundTrips { get; private set; }
    public long Lost { get; private set; }
    public long Stale { get; private set; }
    public long RoundTripsTotal { get; private set; }

    /// <summary>Starts the next ping of a client: fills its payload and notes the send time.</summary>
    public void BeginPing(int client, Span<byte> payload, long nowTicks)
    {
        uint seq = ++_sequence[client];
        _sentTicks[client] = nowTicks;
        RoundTripPayload.Write(payload, client, seq, nowTicks);
    }

    /// <summary>Matches a reply; returns the client index whose ping completed, or -1.</summary>
    public int Complete(ReadOnlySpan<byte> payload, long nowTicks)
    {
        if (!RoundTripPayload.TryRead(payload, out int client, out uint seq, out long sent)
            || (uint)client >= (uint)_sentTicks.Length || seq != _sequence[client] || _sentTicks[client] == 0)
        {
            Stale++;
            return -1;
        }
        _sentTicks[client] = 0;
        RoundTripsTotal++;
        if (_measuring)
        {
            RoundTrips++;
            long rtt = nowTicks - sent;
            _histogram.RecordValue(Math.Clamp(rtt, 1, _histogram.HighestTrackableValue));
        }
        return client;
    }

    /// <summary>True when the client's ping has been outstanding too long (counted as lost).</summary>
    public bool TimedOut(int client, long nowTicks)
    {
        long sent = _sentTicks[client];
        if (sent == 0 || nowTicks - sent < LossTimeoutTicks)
            return false;
        if (_measuring)
            Lost++;
        _sentTicks[client] = 0;
        return true;
    }

    public bool InFlight(int client) => _sentTicks[client] != 0;

    public double PercentileMicroseconds(double percentile) =>
        _histogram.TotalCount == 0 ? double.NaN : _histogram.GetValueAtPercentile(percentile) / _ticksPerMicrosecond;

    public double MaxMicroseconds => _histogram.TotalCount == 0 ? double.NaN : _histogram.GetMaxValue() / _ticksPerMicrosecond;
}
