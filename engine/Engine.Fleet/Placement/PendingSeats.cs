namespace Engine.Fleet.Placement;

/// <summary>
/// Seats the backend has promised and the directory does not show yet: a player given a token
/// takes a moment to connect and the node reports each second, so without these a burst of
/// requests would all be sent to the same "least full" room or node. A promise counts for a fixed
/// window, long enough for the player to connect and the node to report it. Not thread-safe: the
/// <see cref="Matchmaker"/> that owns it decides one request at a time.
/// </summary>
public sealed class PendingSeats(long windowMs)
{
    public const long DefaultWindowMs = 3000;

    private readonly Queue<Seat> _seats = new();
    private readonly Dictionary<string, int> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<(string NodeId, uint RoomId), int> _byRoom = new();

    public void Add(string nodeId, uint roomId, long nowUnixMs)
    {
        _seats.Enqueue(new Seat(nodeId, roomId, nowUnixMs + windowMs));
        _byNode[nodeId] = _byNode.GetValueOrDefault(nodeId) + 1;
        _byRoom[(nodeId, roomId)] = _byRoom.GetValueOrDefault((nodeId, roomId)) + 1;
    }

    /// <summary>Forgets the promises older than the window (they are in order of expiry).</summary>
    public void Expire(long nowUnixMs)
    {
        while (_seats.TryPeek(out var seat) && seat.ExpiresUnixMs <= nowUnixMs)
        {
            _seats.Dequeue();
            Decrement(_byNode, seat.NodeId);
            Decrement(_byRoom, (seat.NodeId, seat.RoomId));
        }
    }

    /// <summary>Seats promised on the node (any room, or a room it opens).</summary>
    public int ForNode(string nodeId) => _byNode.GetValueOrDefault(nodeId);

    /// <summary>Seats promised in one room (room 0: a room the node opens by quick match).</summary>
    public int ForRoom(string nodeId, uint roomId) => _byRoom.GetValueOrDefault((nodeId, roomId));

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
    {
        if (counts[key] == 1)
        {
            counts.Remove(key);
        }
        else
        {
            counts[key]--;
        }
    }

    private readonly record struct Seat(string NodeId, uint RoomId, long ExpiresUnixMs);
}
