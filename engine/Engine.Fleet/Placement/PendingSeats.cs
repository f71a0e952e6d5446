namespace Engine.Fleet.Placement;

/// <summary>
/// Seats the backend has promised and the directory does not show yet: a player given a token
/// takes a moment to connect and the node reports each second, so without these a burst of
/// requests would all be sent to the same "least full" room or node. A promise counts for a fixed
/// window, long enough for the player to connect and the node to report it.
/// </summary>
public sealed class PendingSeats(long windowMs)
{
    private readonly Lock _gate = new();
    private readonly List<Seat> _seats = new();

    public const long DefaultWindowMs = 3000;

    public void Add(string nodeId, uint roomId, long nowUnixMs)
    {
        lock (_gate)
        {
            _seats.Add(new Seat(nodeId, roomId, nowUnixMs + windowMs));
        }
    }

    /// <summary>Seats promised on the node (any room, or a room it opens).</summary>
    public int ForNode(string nodeId, long nowUnixMs) => Count(nodeId, null, nowUnixMs);

    /// <summary>Seats promised in one room.</summary>
    public int ForRoom(string nodeId, uint roomId, long nowUnixMs) => Count(nodeId, roomId, nowUnixMs);

    private int Count(string nodeId, uint? roomId, long nowUnixMs)
    {
        lock (_gate)
        {
            _seats.RemoveAll(s => s.ExpiresUnixMs <= nowUnixMs);
            var count = 0;
            foreach (var seat in _seats)
            {
                if (seat.NodeId == nodeId && (roomId is null || seat.RoomId == roomId))
                {
                    count++;
                }
            }
            return count;
        }
    }

    private readonly record struct Seat(string NodeId, uint RoomId, long ExpiresUnixMs);
}
