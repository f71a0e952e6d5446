using System.Globalization;
using Engine.Server.Diagnostics;

namespace Engine.Host.Admin;

/// <summary>
/// One Prometheus histogram family built from the shards' log-linear histograms: fixed `le` bounds,
/// each an exact bucket edge of <see cref="LogLinearHistogram"/> (so no count is split or guessed),
/// one series per shard.
/// </summary>
internal sealed class HistogramFamily
{
    private readonly string[] _leLabels;

    /// <param name="edges">Upper bounds in the recorded unit (microseconds, bytes), ascending; "value &lt; edge" counts.</param>
    /// <param name="unitsPerBase">Recorded units per exported unit: 1e6 for microseconds exported as seconds, 1 for bytes.</param>
    public HistogramFamily(string name, string help, long[] edges, double unitsPerBase)
    {
        for (var i = 0; i < edges.Length; i++)
        {
            if (!LogLinearHistogram.IsBucketEdge(edges[i]) || (i > 0 && edges[i] <= edges[i - 1]))
            {
                throw new ArgumentException($"{name}: {edges[i]} is not an ascending bucket edge of the server's histogram.", nameof(edges));
            }
        }
        Name = name;
        Help = help;
        Edges = edges;
        UnitsPerBase = unitsPerBase;
        // Values are whole units, so "recorded <= edge - 1" is exactly "value < edge" and le = edge.
        _leLabels = edges.Select(e => (e / unitsPerBase).ToString("0.#########", CultureInfo.InvariantCulture)).ToArray();
    }

    public string Name { get; }
    public string Help { get; }
    public long[] Edges { get; }
    public double UnitsPerBase { get; }

    public void Write(PrometheusTextWriter writer, IReadOnlyList<LogLinearHistogram> perShard)
    {
        writer.Family(Name, "histogram", Help);
        Span<long> counts = stackalloc long[LogLinearHistogram.BucketCount];
        for (var shard = 0; shard < perShard.Count; shard++)
        {
            counts.Clear();
            // The sum first: the shard adds to it after the bucket, so the buckets read next include every value it does.
            var sum = perShard[shard].Sum;
            perShard[shard].AddCountsTo(counts);
            var shardLabel = PrometheusTextWriter.Label("shard", shard.ToString(CultureInfo.InvariantCulture));
            var cumulative = Cumulative(counts);
            for (var i = 0; i < Edges.Length; i++)
            {
                writer.Sample(Name + "_bucket", shardLabel + ",le=\"" + _leLabels[i] + "\"", cumulative[i]);
            }
            var total = cumulative[^1];
            writer.Sample(Name + "_bucket", shardLabel + ",le=\"+Inf\"", total);
            writer.Sample(Name + "_sum", shardLabel, sum / UnitsPerBase);
            writer.Sample(Name + "_count", shardLabel, total);
        }
    }

    /// <summary>Cumulative counts at each of <see cref="Edges"/>, then the total (the +Inf bucket).</summary>
    internal long[] Cumulative(ReadOnlySpan<long> counts)
    {
        var cumulative = new long[Edges.Length + 1];
        for (var bucket = 0; bucket < counts.Length; bucket++)
        {
            if (counts[bucket] == 0)
            {
                continue;
            }
            var upper = LogLinearHistogram.BucketUpperBound(bucket);
            for (var i = 0; i < Edges.Length; i++)
            {
                if (upper < Edges[i])
                {
                    cumulative[i] += counts[bucket];
                }
            }
            cumulative[^1] += counts[bucket];
        }
        return cumulative;
    }
}
