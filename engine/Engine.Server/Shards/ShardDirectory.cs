using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Protocol.Handshake;
using Engine.Server.Handshake;
using Engine.Server.Limits;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>
/// Where sessions live and how they get there: places each new session on the least-loaded shard
/// (after the server-wide limits), reserves its place until it arrives, and carries admissions,
/// session moves and forwarded datagrams into the owning shard's <see cref="ShardMailbox"/>. The
/// only way one shard reaches another; no sockets, so it is built and tested on its own.
/// </summary>
internal sealed class ShardDirectory
{
    private readonly ShardMailbox[] _mailboxes;
    private readonly AddressSessionTable _perAddress;
    private readonly int _maxSessions;
    private int _nextPlayerId;

    public ShardDirectory(int shards, int maxSessions, int maxSessionsPerAddress)
    {
        _mailboxes = new ShardMailbox[shards];
        for (var i = 0; i < shards; i++)
        {
            _mailboxes[i] = new ShardMailbox(i);
        }
        _maxSessions = maxSessions;
        _perAddress = new AddressSessionTable(maxSessionsPerAddress);
    }

    public int Count => _mailboxes.Length;

    public ShardMailbox Mailbox(int shard) => _mailboxes[shard];

    public int SessionCount => Sum(static mailbox => mailbox.Sessions);

    /// <summary>Sessions plus those placed and on their way: what the server-wide limit counts.</summary>
    private int Load => Sum(static mailbox => mailbox.Load);

    private int Sum(Func<ShardMailbox, int> count)
    {
        var total = 0;
        foreach (var mailbox in _mailboxes)
        {
            total += count(mailbox);
        }
        return total;
    }

    /// <summary>
    /// Chooses the shard of a new session from <paramref name="source"/> and reserves its place
    /// there; a reason to refuse when the server or the address is full.
    /// </summary>
    public RejectReason TryPlaceSession(in PeerAddress source, out int shard)
    {
        shard = -1;
        if (Load >= _maxSessions)
        {
            return RejectReason.ServerFull;
        }
        if (!_perAddress.TryAdd(source))
        {
            return RejectReason.TooManySessionsFromAddress;
        }
        shard = LeastLoaded();
        _mailboxes[shard].Reserve();
        return RejectReason.None;
    }

    /// <summary>Undoes a placement whose session never opened (its queue was full, or the shard is stopping).</summary>
    public void CancelPlacement(int shard, in PeerAddress source)
    {
        _mailboxes[shard].ReleaseReservation();
        _perAddress.Remove(source);
    }

    /// <summary>The least-loaded shard, counting arrivals on their way.</summary>
    public int LeastLoaded()
    {
        var best = 0;
        var bestLoad = _mailboxes[0].Load;
        for (var i = 1; i < _mailboxes.Length; i++)
        {
            var load = _mailboxes[i].Load;
            if (load < bestLoad)
            {
                best = i;
                bestLoad = load;
            }
        }
        return best;
    }

    /// <summary>Hands a placed session to its shard; false (and the placement undone) when its queue is full.</summary>
    public bool TryDeliver(int shard, in Admission admission)
    {
        if (_mailboxes[shard].Admissions.TryEnqueue(admission))
        {
            return true;
        }
        CancelPlacement(shard, admission.Address);
        return false;
    }

    /// <summary>Moves a session to the shard of its room; false when that shard's queue is full (nothing changed).</summary>
    public bool TryMove(int shard, in SessionMove move)
    {
        var mailbox = _mailboxes[shard];
        mailbox.Reserve();
        if (mailbox.Moves.TryEnqueue(move))
        {
            return true;
        }
        mailbox.ReleaseReservation();
        return false;
    }

    public bool TryForward(int shard, in ForwardedDatagram datagram) => _mailboxes[shard].Forwarded.TryEnqueue(datagram);

    /// <summary>A session closed for good: its address may open another.</summary>
    public void SessionClosed(in PeerAddress address) => _perAddress.Remove(address);

    /// <summary>Identifies a player to others for the whole session, across rooms and shards.</summary>
    public uint NextPlayerId() => (uint)Interlocked.Increment(ref _nextPlayerId);

    /// <summary>A random id whose first wire byte names the owning shard, so the kernel steers its packets there.</summary>
    public static ulong NewConnectionId(int shard)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        random[0] = (byte)shard;
        return BinaryPrimitives.ReadUInt64LittleEndian(random);
    }
}
