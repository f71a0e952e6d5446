using System.Diagnostics.Metrics;
using System.Globalization;

namespace Engine.Server.Diagnostics;

/// <summary>
/// Quantiles of one of the shards' histograms over the last 10 to 20 seconds, all shards merged,
/// for the meter's observable gauges (dotnet-counters shows them live). The shards keep recording
/// into their own histograms; this reader keeps two earlier readings and reports the difference
/// against the older one, replacing it every window, so how often anyone observes changes nothing.
/// </summary>
/// <remarks>
/// Not a meter Histogram: Histogram&lt;T&gt;.Record would run the listeners' aggregation on the
/// shard thread, which takes a lock per value and allocates bucket arrays after each collection.
/// </remarks>
internal sealed class RecentQuantiles
{
    public static readonly double[] Quantiles = [0.5, 0.9, 0.99, 0.999];

    // One tag array per quantile: a measurement keeps the array it is given, where a span would be copied on every observation.
    private static readonly KeyValuePair<string, object?>[][] s_tags = Quantiles
        .Select(q => new[] { new KeyValuePair<string, object?>("quantile", q.ToString(CultureInfo.InvariantCulture)) })
        .ToArray();

    private readonly IReadOnlyList<LogLinearHistogram> _histograms;
    private readonly double _unitsPerBase;
    private readonly long _windowMs;
    private readonly Func<long> _clockMs;
    private readonly Lock _lock = new();
    private readonly long[] _reading = new long[LogLinearHistogram.BucketCount];
    private readonly long[] _window = new long[LogLinearHistogram.BucketCount];
    private long[] _older = new long[LogLinearHistogram.BucketCount];
    private long[] _newer = new long[LogLinearHistogram.BucketCount];
    private long _newerAtMs = long.MinValue;

    /// <param name="unitsPerBase">Recorded units per reported unit: 1e6 reports microseconds as seconds.</param>
    public RecentQuantiles(IReadOnlyList<LogLinearHistogram> histograms, double unitsPerBase, long windowMs = 10_000, Func<long>? clockMs = null)
    {
        _histograms = histograms;
        _unitsPerBase = unitsPerBase;
        _windowMs = windowMs;
        _clockMs = clockMs ?? (() => Environment.TickCount64);
    }

    /// <summary>One measurement per quantile tagged `quantile`, or none when nothing was recorded in the window.</summary>
    public IEnumerable<Measurement<double>> Observe()
    {
        lock (_lock)
        {
            Array.Clear(_reading);
            foreach (var histogram in _histograms)
            {
                histogram.AddCountsTo(_reading);
            }
            var now = _clockMs();
            if (_newerAtMs == long.MinValue)
            {
                // The first window runs from the start: the older reading stays all zero.
                _reading.CopyTo(_newer, 0);
                _newerAtMs = now;
            }
            else if (now - _newerAtMs >= _windowMs)
            {
                (_older, _newer) = (_newer, _older);
                _reading.CopyTo(_newer, 0);
                _newerAtMs = now;
            }
            long total = 0;
            for (var i = 0; i < _window.Length; i++)
            {
                _window[i] = _reading[i] - _older[i];
                total += _window[i];
            }
            if (total == 0)
            {
                return [];
            }
            var measurements = new Measurement<double>[Quantiles.Length];
            for (var i = 0; i < Quantiles.Length; i++)
            {
                var value = LogLinearHistogram.Quantile(_window, Quantiles[i]) / _unitsPerBase;
                measurements[i] = new Measurement<double>(value, s_tags[i]);
            }
            return measurements;
        }
    }
}
