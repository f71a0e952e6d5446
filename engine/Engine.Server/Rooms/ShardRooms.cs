using System.Runtime.InteropServices;
using Engine.Server.Sessions;
using Engine.Server.Simulation;

namespace Engine.Server.Rooms;

/// <summary>
/// The rooms one shard runs, by id: each opens (empty, from the pool) on first use and closes once it
/// has stayed empty for the grace period. Owned by the shard thread; only the count is read elsewhere.
/// </summary>
internal sealed class ShardRooms
{
    private readonly int _shard;
    private readonly RoomDirectory _directory;
    private readonly Func<int, IGameMode> _gameModes;
    private readonly List<Room> _rooms = new();
    private readonly Dictionary<uint, Room> _roomsById = new();

    private readonly RoomPool _roomPool;
    private readonly List<RoomEntry> _unopened = new();
    private int _roomCount;

    public ShardRooms(int shard, RoomDirectory directory, Func<int, IGameMode> gameModes, int historyDepth)
    {
        // Enough closed rooms to refill a busy shard after a lull, not the whole directory.
        _roomPool = new RoomPool(retained: 256, historyDepth);
        _shard = shard;
        _directory = directory;
        _gameModes = gameModes;
    }

    /// <summary>The rooms this shard runs (shard thread only).</summary>
    public ReadOnlySpan<Room> All => CollectionsMarshal.AsSpan(_rooms);

    /// <summary>How many rooms this shard runs, for the metrics thread.</summary>
    public int Count => Volatile.Read(ref _roomCount);

    /// <summary>Rooms allocated rather than reused (flat under churn once the pool covers the peak).</summary>
    public long Allocated => _roomPool.Created;

    /// <summary>The room of a directory entry owned by this shard, opened (empty from now) on first use.</summary>
    public Room Of(RoomEntry entry, long nowUs)
    {
        if (!_roomsById.TryGetValue(entry.Id, out var room))
        {
            room = _roomPool.Rent(entry, _gameModes(entry.Capacity));
            room.StartEmpty(nowUs);
            _roomsById.Add(entry.Id, room);
            _rooms.Add(room);
            Volatile.Write(ref _roomCount, _rooms.Count);
        }
        return room;
    }

    /// <summary>Expires kept slots and closes rooms that stayed empty for the grace period; returns how many closed.</summary>
    public int RunTimers<TOutput>(TOutput output, long graceUs, long nowUs)
        where TOutput : struct, ISessionOutput
    {
        // Rooms other shards created here (quick match places new rooms on the least-loaded shard)
        // open now even if the player on the way never arrives, so that they close like any other.
        if (_directory.TakeUnopened(_shard, _unopened))
        {
            foreach (var entry in _unopened)
            {
                if (!entry.IsClosed)
                {
                    Of(entry, nowUs);
                }
            }
            _unopened.Clear();
        }
        var closed = 0;
        for (var r = _rooms.Count - 1; r >= 0; r--)
        {
            var room = _rooms[r];
            room.ExpireKeptSlots(output, nowUs, _directory);
            if (room.CanClose(nowUs, graceUs))
            {
                _directory.Remove(room.Entry);
                _roomsById.Remove(room.Id);
                _rooms.RemoveAt(r);
                _roomPool.Return(room);
                Volatile.Write(ref _roomCount, _rooms.Count);
                closed++;
            }
        }
        return closed;
    }
}
