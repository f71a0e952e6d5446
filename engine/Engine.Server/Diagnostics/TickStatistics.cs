namespace Engine.Server.Diagnostics;

/// <summary>
/// Durations of a shard's ticks in a fixed log-linear histogram (eight buckets per power of two,
/// so a quantile is within 12.5%; no allocation): written by the shard thread, read by metrics
/// and the stats line.
/// </summary>
public sealed class TickStatistics
{
    private const int SubBuckets = 8;
    private const int Buckets = 8 + (SubBuckets * 22);
    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _totalUs;
    private long _maxUs;

    public long Count => Volatile.Read(ref _count);
    public long MaxUs => Volatile.Read(ref _maxUs);
    public double MeanUs => Count == 0 ? 0 : (double)Volatile.Read(ref _totalUs) / Count;

    /// <summary>The sum of every recorded duration, for a Prometheus histogram's _sum.</summary>
    public long TotalUs => Volatile.Read(ref _totalUs);

    public void Record(TimeSpan duration)
    {
        var us = (long)duration.TotalMicroseconds;
        _counts[BucketOf(us)]++;
        _totalUs += us;
        if (us > _maxUs)
        {
            _maxUs = us;
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

    public const int BucketCount = Buckets;

    /// <summary>The largest whole number of microseconds bucket <paramref name="bucket"/> holds (the counts of <see cref="AddCountsTo"/> are per bucket, not cumulative).</summary>
    public static long BucketUpperBoundUs(int bucket) => UpperBoundOf(bucket);

    /// <summary>Microseconds below 8 have a bucket each; above, each power of two splits into eight.</summary>
    internal static int BucketOf(long us)
    {
        if (us < SubBuckets)
        {
            return (int)Math.Max(us, 0);
        }
        var msb = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)us);
        var sub = (int)(us >> (msb - 3)) & (SubBuckets - 1);
        return Math.Min(Buckets - 1, ((msb - 2) * SubBuckets) + sub);
    }

    /// <summary>The largest duration a bucket holds, in microseconds.</summary>
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

    /// <summary>The upper bound of the bucket holding the given quantile, in microseconds.</summary>
    public long QuantileUs(double quantile)
    {
        Span<long> counts = stackalloc long[Buckets];
        AddCountsTo(counts);
        return QuantileUs(counts, quantile);
    }

    /// <summary>The quantile of a set of bucket counts (for example the difference of two readings): the upper bound of its bucket.</summary>
    public static long QuantileUs(ReadOnlySpan<long> counts, double quantile)
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
        var target = (long)Math.Ceiling(total * quantile);
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
