using Engine.Server.Simulation;

namespace Engine.Server.Rooms;

/// <summary>
/// Closed rooms of one shard, by capacity, for the next room of that size to reuse: quick match
/// opens and closes rooms all day, and each one's snapshot history and input buffers would
/// otherwise be garbage that outlives a young collection and piles up in the old generation.
/// Owned by the shard thread: no locking.
/// </summary>
internal sealed class RoomPool(int retained, int historyDepth)
{
    private readonly Dictionary<int, Stack<Room>> _closed = new();
    private int _count;

    /// <summary>Rooms allocated so far: it stops growing once the pool covers the peak.</summary>
    public long Created { get; private set; }

    public Room Rent(RoomEntry entry, IGameMode mode)
    {
        if (_closed.TryGetValue(entry.Capacity, out var rooms) && rooms.TryPop(out var room))
        {
            _count--;
            room.Reopen(entry, mode);
            return room;
        }
        Created++;
        return new Room(entry, mode, historyDepth);
    }

    public void Return(Room room)
    {
        if (_count >= retained)
        {
            return;
        }
        var capacity = room.Capacity;
        if (!_closed.TryGetValue(capacity, out var rooms))
        {
            _closed[capacity] = rooms = new Stack<Room>();
        }
        rooms.Push(room);
        _count++;
    }
}
