namespace Engine.Server.Rooms;

/// <summary>
/// What every shard may know about a room: the directory's record. The owning shard updates the
/// counts; other shards read them to list rooms and to match players.
/// </summary>
internal sealed class RoomEntry
{
    private int _players;
    private int _connected;
    private int _reserved;
    private int _spectators;

    public RoomEntry(uint id, string name, byte[] nameBytes, int shard, int capacity, bool isPrivate, RoomPassword? password)
    {
        Id = id;
        Name = name;
        NameBytes = nameBytes;
        Shard = shard;
        Capacity = capacity;
        IsPrivate = isPrivate;
        Password = password;
    }

    public uint Id { get; }
    public string Name { get; }
    public byte[] NameBytes { get; }
    public int Shard { get; }
    public int Capacity { get; }
    public bool IsPrivate { get; }
    public RoomPassword? Password { get; }
    public bool IsClosed { get; set; }

    /// <summary>Seated players plus slots kept for players who dropped: what the room holds for others.</summary>
    public int Players => Volatile.Read(ref _players);

    /// <summary>Seated players still connected (kept slots not counted): whether a game is being played.</summary>
    public int ConnectedPlayers => Volatile.Read(ref _connected);
    public int Spectators => Volatile.Read(ref _spectators);

    /// <summary>Players plus slots promised to players on their way from another shard.</summary>
    public int Occupied => Volatile.Read(ref _players) + Volatile.Read(ref _reserved);

    public bool TryReserve()
    {
        while (true)
        {
            var reserved = Volatile.Read(ref _reserved);
            if (Volatile.Read(ref _players) + reserved >= Capacity)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _reserved, reserved + 1, reserved) == reserved)
            {
                return true;
            }
        }
    }

    public void ReleaseReservation() => Interlocked.Decrement(ref _reserved);

    public void SetCounts(int connected, int kept, int spectators)
    {
        Volatile.Write(ref _connected, connected);
        Volatile.Write(ref _players, connected + kept);
        Volatile.Write(ref _spectators, spectators);
    }
}
