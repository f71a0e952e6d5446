using System.Buffers.Binary;
using System.Text;
using Engine.Protocol.Rooms;

namespace Engine.Server.Rooms;

/// <summary>
/// Every open room, for listing, joining by id or name, quick match and resume tokens. Shared by
/// the shards and guarded by one lock: it is touched only by room operations, never per packet.
/// </summary>
internal sealed class RoomDirectory
{
    private readonly object _gate = new();
    private readonly Dictionary<uint, RoomEntry> _byId = new();
    private readonly Dictionary<string, RoomEntry> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<ResumeKey, uint> _resumeTokens = new();

    // Rooms created and not yet opened by their shard (it takes them at its next timer pass).
    private readonly List<RoomEntry> _unopened = new();
    private int _unopenedCount;
    private readonly int _maxRooms;
    private uint _nextId;
    private volatile bool _creationClosed;

    public RoomDirectory(int maxRooms)
    {
        _maxRooms = maxRooms;
    }

    public int Count
    {
        get { lock (_gate) { return _byId.Count; } }
    }

    /// <summary>Connected players seated in any room (kept slots not counted).</summary>
    public int ConnectedPlayers
    {
        get
        {
            lock (_gate)
            {
                var players = 0;
                foreach (var entry in _byId.Values)
                {
                    players += entry.ConnectedPlayers;
                }
                return players;
            }
        }
    }

    /// <summary>From now on <see cref="TryCreate"/> refuses with <see cref="RoomStatus.Draining"/>; open rooms play on.</summary>
    public void CloseCreation() => _creationClosed = true;

    /// <summary>Registers a new room, or says why not.</summary>
    public RoomStatus TryCreate(string name, int shard, int capacity, bool isPrivate, RoomPassword? password, out RoomEntry? entry)
    {
        lock (_gate)
        {
            entry = null;
            if (_creationClosed)
            {
                return RoomStatus.Draining;
            }
            if (_byId.Count >= _maxRooms)
            {
                return RoomStatus.TooManyRooms;
            }
            if (_byName.ContainsKey(name))
            {
                return RoomStatus.NameTaken;
            }
            var id = ++_nextId;
            entry = new RoomEntry(id, name, Encoding.UTF8.GetBytes(name), shard, capacity, isPrivate, password);
            _byId.Add(id, entry);
            _byName.Add(name, entry);
            _unopened.Add(entry);
            Volatile.Write(ref _unopenedCount, _unopened.Count);
            return RoomStatus.Ok;
        }
    }

    /// <summary>Moves the rooms created for <paramref name="shard"/> since the last call into <paramref name="into"/>; false when there are none (no lock taken).</summary>
    public bool TakeUnopened(int shard, List<RoomEntry> into)
    {
        if (Volatile.Read(ref _unopenedCount) == 0)
        {
            return false;
        }
        lock (_gate)
        {
            for (var i = _unopened.Count - 1; i >= 0; i--)
            {
                if (_unopened[i].Shard == shard)
                {
                    into.Add(_unopened[i]);
                    _unopened.RemoveAt(i);
                }
            }
            Volatile.Write(ref _unopenedCount, _unopened.Count);
        }
        return into.Count > 0;
    }

    /// <summary>A name for a room quick match opens: "match-N", never taken.</summary>
    public string NextMatchName()
    {
        lock (_gate)
        {
            return $"match-{_nextId + 1}";
        }
    }

    public void Remove(RoomEntry entry)
    {
        lock (_gate)
        {
            entry.IsClosed = true;
            _byId.Remove(entry.Id);
            _byName.Remove(entry.Name);
        }
    }

    public RoomEntry? Find(uint id)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    public RoomEntry? Find(string name)
    {
        lock (_gate)
        {
            return _byName.GetValueOrDefault(name);
        }
    }

    /// <summary>Every open room's record, for the fleet's directory: the lock is held only to copy references; counts are read after, as the shards publish them.</summary>
    public void CopyOpen(List<RoomEntry> into)
    {
        lock (_gate)
        {
            into.AddRange(_byId.Values);
        }
    }

    /// <summary>The fullest public, password-free room with a free slot of the asked capacity, with that slot reserved.</summary>
    public RoomEntry? ReserveQuickMatch(int capacity)
    {
        lock (_gate)
        {
            RoomEntry? best = null;
            foreach (var entry in _byId.Values)
            {
                if (entry.IsPrivate || entry.Password is not null || entry.IsClosed || entry.Capacity != capacity || entry.Occupied >= entry.Capacity)
                {
                    continue;
                }
                if (best is null || entry.Occupied > best.Occupied || (entry.Occupied == best.Occupied && entry.Id < best.Id))
                {
                    best = entry;
                }
            }
            return best is not null && best.TryReserve() ? best : null;
        }
    }

    /// <summary>One page of public rooms, ordered by id, optionally only those with a free slot or whose name contains a filter.</summary>
    public (List<RoomEntry> Page, int Total) List(int page, int pageSize, bool onlyJoinable, string filter)
    {
        lock (_gate)
        {
            var matches = _byId.Values
                .Where(e => !e.IsPrivate && !e.IsClosed)
                .Where(e => !onlyJoinable || e.Occupied < e.Capacity)
                .Where(e => filter.Length == 0 || e.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Id)
                .ToList();
            return (matches.Skip(page * pageSize).Take(pageSize).ToList(), matches.Count);
        }
    }

    public void AddResumeToken(ReadOnlySpan<byte> token, uint roomId)
    {
        lock (_gate)
        {
            _resumeTokens[ResumeKey.From(token)] = roomId;
        }
    }

    public void RemoveResumeToken(ReadOnlySpan<byte> token)
    {
        lock (_gate)
        {
            _resumeTokens.Remove(ResumeKey.From(token));
        }
    }

    public RoomEntry? FindByResumeToken(ReadOnlySpan<byte> token)
    {
        if (token.Length != RoomLimits.ResumeTokenSize)
        {
            return null;
        }
        lock (_gate)
        {
            return _resumeTokens.TryGetValue(ResumeKey.From(token), out var id) ? _byId.GetValueOrDefault(id) : null;
        }
    }

    private readonly record struct ResumeKey(ulong Low, ulong High)
    {
        public static ResumeKey From(ReadOnlySpan<byte> token) =>
            new(BinaryPrimitives.ReadUInt64LittleEndian(token), BinaryPrimitives.ReadUInt64LittleEndian(token.Slice(8)));
    }
}
