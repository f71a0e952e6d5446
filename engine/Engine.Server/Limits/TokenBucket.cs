namespace Engine.Server.Limits;

/// <summary>
/// A token bucket in microsecond fixed point: refills at a rate up to a burst, and each take
/// spends one token. A plain struct owned by one thread; no allocation, no clock reads.
/// </summary>
internal struct TokenBucket
{
    private const long Unit = 1_000_000;

    private long _tokens;
    private long _refilledUs;

    /// <summary>A bucket that starts full.</summary>
    public static TokenBucket Full(in RateLimit limit, long nowUs) => new() { _tokens = limit.Burst * Unit, _refilledUs = nowUs };

    /// <summary>How full the bucket is, 0 to 1 (after refilling to now).</summary>
    public double Level(in RateLimit limit, long nowUs)
    {
        Refill(limit, nowUs);
        return limit.Burst == 0 ? 1 : (double)_tokens / (limit.Burst * Unit);
    }

    public bool TryTake(in RateLimit limit, long nowUs)
    {
        if (limit.IsUnlimited)
        {
            return true;
        }
        Refill(limit, nowUs);
        if (_tokens < Unit)
        {
            return false;
        }
        _tokens -= Unit;
        return true;
    }

    private void Refill(in RateLimit limit, long nowUs)
    {
        var elapsed = nowUs - _refilledUs;
        if (elapsed <= 0)
        {
            return;
        }
        _refilledUs = nowUs;
        // tokens (in millionths) gained = elapsed us * per-second rate
        _tokens = Math.Min(limit.Burst * Unit, _tokens + (elapsed * limit.PerSecond));
    }
}

/// <summary>A rate and a burst; a rate of 0 means unlimited.</summary>
internal readonly record struct RateLimit(long PerSecond, long Burst)
{
    public bool IsUnlimited => PerSecond <= 0;

    public static RateLimit Of(int perSecond, int burst) => new(perSecond, Math.Max(burst, 1));
}
