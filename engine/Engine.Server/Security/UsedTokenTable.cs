using System.Runtime.CompilerServices;
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
    private readonly ExpiringTagTable<Entry> _entries;

    public UsedTokenTable(int capacity)
    {
        _entries = new ExpiringTagTable<Entry>(capacity);
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
            ref var entry = ref _entries.FindLive(tag, nowUnix);
            if (!Unsafe.IsNullRef(ref entry))
            {
                if (entry.Address == address && entry.HelloNonce == helloNonce)
                {
                    welcome = entry.Welcome;
                    return TokenUse.SameClient;
                }
                return TokenUse.Replayed;
            }
            return _entries.TryAdd(tag, new Entry { Address = address, HelloNonce = helloNonce, ExpireUnix = expireUnix }, nowUnix)
                ? TokenUse.First
                : TokenUse.Full;
        }
    }

    /// <summary>Remembers the welcome sent for a reserved token, for retransmitted hellos that reach another shard.</summary>
    public void Complete(in TokenTag tag, in WelcomeDatagram welcome)
    {
        lock (_entries)
        {
            ref var entry = ref _entries.Find(tag);
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

    private struct Entry : IExpiringEntry
    {
        public PeerAddress Address;
        public ulong HelloNonce;
        public WelcomeDatagram Welcome;

        public long ExpireUnix { get; init; }
    }
}
