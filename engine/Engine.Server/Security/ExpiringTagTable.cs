using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Server.Security;

/// <summary>
/// Tokens or tickets seen and not yet expired, by tag: the rules the used-token and used-ticket tables
/// share. A tag is live until its entry expires; expired entries are pruned every few seconds, or at
/// once when the table is full, and the table never holds more than its capacity (a full table
/// refuses a new tag, it never forgets a live one). Not thread-safe: its owner locks it.
/// </summary>
internal sealed class ExpiringTagTable<TEntry>
    where TEntry : struct, IExpiringEntry
{
    private const long PruneIntervalSeconds = 10;

    private readonly Dictionary<TokenTag, TEntry> _entries = new();
    private readonly int _capacity;
    private long _nextPruneUnix;

    public ExpiringTagTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>The entry for the tag, or a null ref when there is none.</summary>
    public ref TEntry Find(in TokenTag tag) => ref CollectionsMarshal.GetValueRefOrNullRef(_entries, tag);

    /// <summary>The entry for the tag if it has not expired, else a null ref.</summary>
    public ref TEntry FindLive(in TokenTag tag, long nowUnix)
    {
        ref var entry = ref Find(tag);
        if (!Unsafe.IsNullRef(ref entry) && entry.ExpireUnix <= nowUnix)
        {
            return ref Unsafe.NullRef<TEntry>();
        }
        return ref entry;
    }

    /// <summary>Adds (or replaces an expired) entry; false when the table is full of live ones.</summary>
    public bool TryAdd(in TokenTag tag, in TEntry entry, long nowUnix)
    {
        if (nowUnix >= _nextPruneUnix || _entries.Count >= _capacity)
        {
            Prune(nowUnix);
        }
        if (_entries.Count >= _capacity)
        {
            return false;
        }
        _entries[tag] = entry;
        return true;
    }

    public void Remove(in TokenTag tag) => _entries.Remove(tag);

    private void Prune(long nowUnix)
    {
        _nextPruneUnix = nowUnix + PruneIntervalSeconds;
        foreach (var (tag, entry) in _entries)
        {
            if (entry.ExpireUnix <= nowUnix)
            {
                _entries.Remove(tag);
            }
        }
    }
}
