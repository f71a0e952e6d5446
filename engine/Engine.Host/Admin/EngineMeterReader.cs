using System.Diagnostics.Metrics;
using System.Globalization;

namespace Engine.Host.Admin;

/// <summary>
/// Reads every instrument of the "Engine" meter with a <see cref="MeterListener"/> and writes
/// them as Prometheus families: counters as `_total` counters, up-down counters and gauges as
/// gauges, dotted names with '_' and the unit as a suffix (engine.bytes.sent, By ->
/// engine_bytes_sent_total). The engine's instruments are observable, so nothing is done until
/// a scrape asks for the values: the shards' hot path is untouched.
/// </summary>
internal sealed class EngineMeterReader : IDisposable
{
    // Engine.Server's EngineMetrics.MeterName; repeated here because that type is internal to the server.
    public const string MeterName = "Engine";

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Series> _instruments = new();
    private readonly Dictionary<Instrument, Series> _byInstrument = new();

    // The instruments grouped by Prometheus name, made again only when an instrument comes or goes:
    // grouping on every scrape cost more garbage than the rest of the scrape.
    private readonly List<List<Series>> _families = new();
    private bool _familiesStale;

    // The engine tags each measurement with one of a few fixed tags (shard, reason, stage): their
    // label text is made once, not on every scrape.
    private readonly Dictionary<(string Key, object? Value), string> _singleTagLabels = new();

    public EngineMeterReader()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != MeterName || PrometheusType(instrument) is not { } type)
            {
                return; // Histograms are not exported from the meter: the engine publishes none.
            }
            lock (_lock)
            {
                var series = new Series(instrument, type);
                _instruments.Add(series);
                _byInstrument[instrument] = series;
                _familiesStale = true;
            }
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
            {
                if (_byInstrument.Remove(instrument, out var series))
                {
                    _instruments.Remove(series);
                    _familiesStale = true;
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.SetMeasurementEventCallback<float>((instrument, value, tags, _) => OnMeasurement(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Observes every instrument now and writes its families.</summary>
    public void WriteTo(PrometheusTextWriter writer)
    {
        lock (_lock)
        {
            foreach (var series in _instruments)
            {
                if (series.Instrument.IsObservable)
                {
                    series.Values.Clear();
                }
            }
            // Runs the observable callbacks on this thread; they land in OnMeasurement (the lock is re-entrant).
            _listener.RecordObservableInstruments();

            // Two instruments could map to one Prometheus name: write each family once.
            if (_familiesStale)
            {
                _families.Clear();
                _families.AddRange(_instruments.GroupBy(s => s.Name).Select(g => g.ToList()));
                _familiesStale = false;
            }
            foreach (var family in _families)
            {
                if (!HasValues(family))
                {
                    continue;
                }
                var first = family[0];
                writer.Family(first.Name, first.Type, first.Instrument.Description ?? first.Instrument.Name);
                foreach (var series in family)
                {
                    foreach (var (labels, value) in series.Values)
                    {
                        writer.Sample(series.Name, labels, value);
                    }
                }
            }
        }
    }

    private static bool HasValues(List<Series> family)
    {
        foreach (var series in family)
        {
            if (series.Values.Count > 0)
            {
                return true;
            }
        }
        return false;
    }

    private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            var labels = Labels(tags);
            if (!_byInstrument.TryGetValue(instrument, out var series))
            {
                return;
            }
            // Observable instruments report totals; synchronous counters report increments to add up.
            var additive = (!instrument.IsObservable && series.Type == "counter") || IsSynchronousUpDown(instrument);
            series.Values[labels] = additive ? series.Values.GetValueOrDefault(labels) + value : value;
        }
    }

    private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != 1)
        {
            return FormatLabels(tags);
        }
        var key = (tags[0].Key, tags[0].Value);
        if (!_singleTagLabels.TryGetValue(key, out var labels))
        {
            labels = FormatLabels(tags);
            if (_singleTagLabels.Count < 4096) // a tag whose values never repeat must not grow this without end
            {
                _singleTagLabels[key] = labels;
            }
        }
        return labels;
    }

    private static string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }
        var labels = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
        }
        // One series per label set whatever order the instrument gave the tags in.
        Array.Sort(labels, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return PrometheusTextWriter.Labels(labels);
    }

    private static bool IsSynchronousUpDown(Instrument instrument) =>
        instrument is UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> or UpDownCounter<float>;

    // Pattern matching on the closed generic types rather than reflection keeps this trim- and AOT-safe.
    private static string? PrometheusType(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> or Counter<float> => "counter",
        ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> or ObservableCounter<float> => "counter",
        UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> or UpDownCounter<float> => "gauge",
        ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double> or ObservableUpDownCounter<float> => "gauge",
        ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or ObservableGauge<float> => "gauge",
        Gauge<long> or Gauge<int> or Gauge<double> or Gauge<float> => "gauge",
        _ => null,
    };

    /// <summary>engine.bytes.sent (By, counter) -> engine_bytes_sent_total; engine.shard.allocated (By) -> engine_shard_allocated_bytes_total.</summary>
    internal static string PrometheusName(string instrumentName, string? unit, bool counter)
    {
        var name = PrometheusTextWriter.SanitizeName(instrumentName);
        var suffix = unit switch
        {
            "By" => "bytes",
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "By/s" => "bytes_per_second",
            _ => null, // dimensionless and annotation units ("{packet}") add nothing
        };
        if (suffix is not null && !name.Split('_').Contains(suffix.Split('_')[0]))
        {
            name += "_" + suffix;
        }
        if (counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }
        return name;
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Series(Instrument instrument, string type)
    {
        public Instrument Instrument { get; } = instrument;
        public string Type { get; } = type;
        public string Name { get; } = PrometheusName(instrument.Name, instrument.Unit, type == "counter");

        /// <summary>Formatted labels -> value, in the order first seen.</summary>
        public Dictionary<string, double> Values { get; } = new();
    }
}
