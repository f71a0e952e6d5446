using System.Numerics;

namespace Engine.Server.Diagnostics;

/// <summary>
/// A fixed log-linear histogram of whole non-negative values (microseconds, bytes): one bucket per
/// value below 8, above that eight buckets per power of two, so a quantile is within 12.5%.
/// One thread records with plain writes and no allocation; other threads read the bucket counts
/// at any time. A reader may see a recording half done (a bucket counted, the sum not yet): each
/// count is a whole 64-bit word, so nothing tears, and the next reading catches up.
/// </summary>
public sealed class LogLinearHistogram
{
    private const int SubBuckets = 8;
    private const int Buckets = 8 + (SubBuckets * 22);
    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _sum;
    private long _max;

    /// <summary>Buckets in <see cref="AddCountsTo"/>; values from 2^25 (about 33.5 s in microseconds) up share the last.</summary>
    public const int BucketCount = Buckets;

    public long Count => Volatile.Read(ref _count);
    public long Max => Volatile.Read(ref _max);

    /// <summary>The sum of every recorded value, for a Prometheus histogram's _sum.</summary>
    public long Sum => Volatile.Read(ref _sum);

    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>Records one value; negative values count as 0. Only the owning thread calls this.</summary>
    public void Record(long value)
    {
        value = Math.Max(value, 0);
        _counts[BucketOf(value)]++;
        _sum += value;
        if (value > _max)
        {
            _max = value;
        }
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Adds this histogram's bucket counts into <paramref name="counts"/> (length <see cref="BucketCount"/>).</summary>
    public void AddCountsTo(Span<long> counts)
    {
        for (var i = 0; i < Buckets; i++)
        {
            counts[i] += Volatile.Read(ref _counts[i]);
        }
    }

    /// <summary>The largest value bucket <paramref name="bucket"/> holds (the counts of <see cref="AddCountsTo"/> are per bucket, not cumulative).</summary>
    public static long BucketUpperBound(int bucket) => UpperBoundOf(bucket);

    /// <summary>True when "value &lt; <paramref name="edge"/>" is a whole number of buckets, so a Prometheus `le` bound there splits no bucket.</summary>
    public static bool IsBucketEdge(long edge) =>
        edge > 0 && edge - 1 <= UpperBoundOf(Buckets - 2) && UpperBoundOf(BucketOf(edge - 1)) == edge - 1;

    /// <summary>Values below 8 have a bucket each; above, each power of two splits into eight.</summary>
    internal static int BucketOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)Math.Max(value, 0);
        }
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (msb - 3)) & (SubBuckets - 1);
        return Math.Min(Buckets - 1, ((msb - 2) * SubBuckets) + sub);
    }

    /// <summary>The largest value a bucket holds.</summary>
    internal static long UpperBoundOf(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }
        var msb = (bucket / SubBuckets) + 2;
        var sub = bucket % SubBuckets;
        return ((long)(SubBuckets + sub + 1) << (msb - 3)) - 1;
    }

    /// <summary>The upper bound of the bucket holding the given quantile of everything recorded.</summary>
    public long Quantile(double quantile)
    {
        Span<long> counts = stackalloc long[Buckets];
        AddCountsTo(counts);
        return Quantile(counts, quantile);
    }

    /// <summary>The quantile of a set of bucket counts (for example the difference of two readings): the upper bound of its bucket.</summary>
    public static long Quantile(ReadOnlySpan<long> counts, double quantile)
    {
        long total = 0;
        foreach (var count in counts)
        {
            total += count;
        }
        if (total == 0)
        {
            return 0;
        }
        var target = Math.Max(1, (long)Math.Ceiling(total * quantile));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= target)
            {
                return UpperBoundOf(i);
            }
        }
        return UpperBoundOf(counts.Length - 1);
    }
}
