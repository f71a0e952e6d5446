using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Transport;

namespace Engine.Server.Security;

/// <summary>What the used-token table says about a token presented in a hello.</summary>
internal enum TokenUse : byte
{
    /// <summary>Never seen: now reserved for this client.</summary>
    First,

    /// <summary>Already admitted this very client (same address, same hello nonce): answer with the same welcome.</summary>
    SameClient,

    /// <summary>Used by another client, or by this one in another attempt: refused.</summary>
    Replayed,

    /// <summary>The table holds as many unexpired tokens as it may.</summary>
    Full,
}

/// <summary>
/// Every connect token admitted and not yet expired, shared by the shards so that a token copied off
/// the wire cannot open a second session on any of them. Only the handshake takes its lock; entries
/// go once their token expires, and the table never holds more than its capacity.
/// </summary>
internal sealed class UsedTokenTable
{
    private const long PruneIntervalSeconds = 10;

    private readonly Dictionary<TokenTag, Entry> _entries = new();
    private readonly int _capacity;
    private long _nextPruneUnix;

    public UsedTokenTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Reserves the token for this client, or says who has it. For <see cref="TokenUse.SameClient"/>,
    /// <paramref name="welcome"/> is what that client was sent (empty while its admission is still in progress).
    /// </summary>
    public TokenUse TryReserve(in TokenTag tag, in PeerAddress address, ulong helloNonce, long expireUnix, long nowUnix, out WelcomeDatagram welcome)
    {
        welcome = default;
        lock (_entries)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, tag);
            if (!Unsafe.IsNullRef(ref entry) && entry.ExpireUnix > nowUnix)
            {
                if (entry.Address == address && entry.HelloNonce == helloNonce)
                {
                    welcome = entry.Welcome;
                    return TokenUse.SameClient;
                }
                return TokenUse.Replayed;
            }
            if (nowUnix >= _nextPruneUnix || _entries.Count >= _capacity)
            {
                Prune(nowUnix);
            }
            if (_entries.Count >= _capacity)
            {
                return TokenUse.Full;
            }
            _entries[tag] = new Entry { Address = address, HelloNonce = helloNonce, ExpireUnix = expireUnix };
            return TokenUse.First;
        }
    }

    /// <summary>Remembers the welcome sent for a reserved token, for retransmitted hellos that reach another shard.</summary>
    public void Complete(in TokenTag tag, in WelcomeDatagram welcome)
    {
        lock (_entries)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entries, tag);
            if (!Unsafe.IsNullRef(ref entry))
            {
                entry.Welcome = welcome;
            }
        }
    }

    /// <summary>Gives a reserved token back when its admission failed for a reason of the server's (full, busy).</summary>
    public void Release(in TokenTag tag)
    {
        lock (_entries)
        {
            _entries.Remove(tag);
        }
    }

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

    private struct Entry
    {
        public PeerAddress Address;
        public ulong HelloNonce;
        public long ExpireUnix;
        public WelcomeDatagram Welcome;
    }
}
