namespace Engine.Server.Diagnostics;

/// <summary>
/// Durations of a shard's ticks in a fixed log-scale histogram (no allocation): written by the
/// shard thread, read by metrics and the stats line.
/// </summary>
public sealed class TickStatistics
{
    // Bucket i holds durations below 2^i microseconds (bucket 0: under 1 us).
    private const int Buckets = 24;
    private readonly long[] _counts = new long[Buckets];
    private long _count;
    private long _totalUs;
    private long _maxUs;

    public long Count => Volatile.Read(ref _count);
    public long MaxUs => Volatile.Read(ref _maxUs);
    public double MeanUs => Count == 0 ? 0 : (double)Volatile.Read(ref _totalUs) / Count;

    public void Record(TimeSpan duration)
    {
        var us = (long)duration.TotalMicroseconds;
        var bucket = us <= 0 ? 0 : Math.Min(Buckets - 1, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)us));
        _counts[bucket]++;
        _totalUs += us;
        if (us > _maxUs)
        {
            _maxUs = us;
        }
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>The upper bound of the bucket holding the given quantile, in microseconds.</summary>
    public long QuantileUs(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var target = (long)Math.Ceiling(total * quantile);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= target)
            {
                return 1L << i;
            }
        }
        return MaxUs;
    }
}
