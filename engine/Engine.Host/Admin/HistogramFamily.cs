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
        _leLabels = edges.Select(e => "le=\"" + (e / unitsPerBase).ToString("0.#########", CultureInfo.InvariantCulture) + "\"").ToArray();
    }

    public string Name { get; }
    public string Help { get; }
    public long[] Edges { get; }
    public double UnitsPerBase { get; }

    public void Write(PrometheusTextWriter writer, IReadOnlyList<LogLinearHistogram> perShard) =>
        Write(writer, perShard, h => h);

    /// <param name="select">This family's histogram among a shard's (static lambdas: nothing allocated per scrape).</param>
    public void Write<TShard>(PrometheusTextWriter writer, IReadOnlyList<TShard> shards, Func<TShard, LogLinearHistogram> select)
    {
        writer.Family(Name, "histogram", Help);
        Span<long> counts = stackalloc long[LogLinearHistogram.BucketCount];
        Span<long> cumulative = stackalloc long[Edges.Length + 1];
        for (var shard = 0; shard < shards.Count; shard++)
        {
            counts.Clear();
            var histogram = select(shards[shard]);
            // The sum first: the shard adds to it after the bucket, so the buckets read next include every value it does.
            var sum = histogram.Sum;
            histogram.AddCountsTo(counts);
            var shardLabel = ShardLabel(shard);
            Cumulative(counts, cumulative);
            for (var i = 0; i < Edges.Length; i++)
            {
                writer.Sample(Name, "_bucket", shardLabel, _leLabels[i], cumulative[i]);
            }
            var total = cumulative[^1];
            writer.Sample(Name, "_bucket", shardLabel, InfiniteLabel, total);
            writer.Sample(Name, "_sum", shardLabel, "", sum / UnitsPerBase);
            writer.Sample(Name, "_count", shardLabel, "", total);
        }
    }

    private const string InfiniteLabel = "le=\"+Inf\"";

    // Shard labels are made once per shard index, not on every scrape.
    private static string[] s_shardLabels = [];

    private static string ShardLabel(int shard)
    {
        var labels = s_shardLabels;
        if (shard >= labels.Length)
        {
            labels = new string[shard + 1];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = PrometheusTextWriter.Label("shard", i.ToString(CultureInfo.InvariantCulture));
            }
            s_shardLabels = labels;
        }
        return labels[shard];
    }

    /// <summary>Cumulative counts at each of <see cref="Edges"/>, then the total (the +Inf bucket).</summary>
    internal long[] Cumulative(ReadOnlySpan<long> counts)
    {
        var cumulative = new long[Edges.Length + 1];
        Cumulative(counts, cumulative);
        return cumulative;
    }

    private void Cumulative(ReadOnlySpan<long> counts, Span<long> cumulative)
    {
        cumulative.Clear();
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
    }
}
