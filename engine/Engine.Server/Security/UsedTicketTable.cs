namespace Engine.Server.Security;

/// <summary>
/// Every resume ticket presented here and not yet expired, shared by the shards, so that a ticket is
/// used once on this node whichever shard it reaches. Entries go once their ticket expires; the
/// table never holds more than its capacity (a full table refuses, it never forgets a live ticket).
/// </summary>
internal sealed class UsedTicketTable
{
    private const long PruneIntervalSeconds = 10;

    private readonly Dictionary<TokenTag, long> _expiries = new();
    private readonly int _capacity;
    private long _nextPruneUnix;

    public UsedTicketTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_expiries)
            {
                return _expiries.Count;
            }
        }
    }

    /// <summary>Marks the ticket used; false when it was used before (or the table is full).</summary>
    public bool TryUse(in TokenTag tag, long expireUnix, long nowUnix)
    {
        lock (_expiries)
        {
            if (_expiries.TryGetValue(tag, out var expires) && expires > nowUnix)
            {
                return false;
            }
            if (nowUnix >= _nextPruneUnix || _expiries.Count >= _capacity)
            {
                Prune(nowUnix);
            }
            if (_expiries.Count >= _capacity)
            {
                return false;
            }
            _expiries[tag] = expireUnix;
            return true;
        }
    }

    private void Prune(long nowUnix)
    {
        _nextPruneUnix = nowUnix + PruneIntervalSeconds;
        foreach (var (tag, expires) in _expiries)
        {
            if (expires <= nowUnix)
            {
                _expiries.Remove(tag);
            }
        }
    }
}
