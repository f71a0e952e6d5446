using System.Runtime.CompilerServices;

namespace Engine.Server.Security;

/// <summary>
/// Every resume ticket presented here and not yet expired, shared by the shards, so that a ticket is
/// used once on this node whichever shard it reaches. Entries go once their ticket expires; the
/// table never holds more than its capacity (a full table refuses, it never forgets a live ticket).
/// </summary>
internal sealed class UsedTicketTable
{
    private readonly ExpiringTagTable<Expiry> _tickets;

    public UsedTicketTable(int capacity)
    {
        _tickets = new ExpiringTagTable<Expiry>(capacity);
    }

    public int Count
    {
        get
        {
            lock (_tickets)
            {
                return _tickets.Count;
            }
        }
    }

    /// <summary>Marks the ticket used; false when it was used before (or the table is full).</summary>
    public bool TryUse(in TokenTag tag, long expireUnix, long nowUnix)
    {
        lock (_tickets)
        {
            return Unsafe.IsNullRef(ref _tickets.FindLive(tag, nowUnix))
                && _tickets.TryAdd(tag, new Expiry(expireUnix), nowUnix);
        }
    }

    private readonly record struct Expiry(long ExpireUnix) : IExpiringEntry;
}
