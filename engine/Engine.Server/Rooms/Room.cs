using Engine.Protocol.Snapshots;
using Engine.Server.Sessions;
using Engine.Server.Simulation;

namespace Engine.Server.Rooms;

/// <summary>A room on the shard that owns it: its players by slot, its spectators, and the slots kept for reconnects.</summary>
internal sealed class Room
{
    public Room(RoomEntry entry, IGameMode mode)
    {
        Entry = entry;
        Slots = new Session?[entry.Capacity];
        Kept = new KeptSlot[entry.Capacity];
        Mode = mode;
        Inputs = new InputValidator(entry.Capacity);
        History = new SnapshotHistory(entry.Capacity, SnapshotView.Remembered + 1);
        Encoder = new DeltaEncoder(entry.Capacity);
        Predicted = new SnapshotFrame(entry.Capacity);
    }

    /// <summary>Scratch: a client's view moved forward by dead reckoning, what its delta is encoded against.</summary>
    public SnapshotFrame Predicted { get; }

    /// <summary>The game's rules for this room.</summary>
    public IGameMode Mode { get; private set; }
    public InputValidator Inputs { get; }

    /// <summary>Recent snapshot frames, so each player's delta is against the frame they last acknowledged.</summary>
    public SnapshotHistory History { get; }
    public DeltaEncoder Encoder { get; }

    public RoomEntry Entry { get; private set; }
    public uint Id => Entry.Id;
    public Session?[] Slots { get; }
    public KeptSlot[] Kept { get; }
    public List<Session> Spectators { get; } = new();
    public int PlayerCount { get; set; }

    /// <summary>When the room became empty (no players, spectators or kept slots); -1 while in use.</summary>
    public long EmptySinceUs { get; set; } = -1;

    /// <summary>
    /// Readies a closed room's storage (slots, input buffers, snapshot history: about 100 KB for 50
    /// players) for a new room of the same capacity, as if just constructed.
    /// </summary>
    public void Reopen(RoomEntry entry, IGameMode mode)
    {
        if (entry.Capacity != Slots.Length)
        {
            throw new ArgumentException($"a room of {Slots.Length} cannot reopen as one of {entry.Capacity}", nameof(entry));
        }
        Entry = entry;
        Mode = mode;
        Array.Clear(Slots);
        for (var i = 0; i < Kept.Length; i++)
        {
            Kept[i] = new KeptSlot { Token = Kept[i].Token }; // the token buffer is reused
        }
        Inputs.Reset();
        History.Clear();
        Spectators.Clear();
        PlayerCount = 0;
        EmptySinceUs = -1;
    }

    public int FreeSlot()
    {
        for (var i = 0; i < Slots.Length; i++)
        {
            if (Slots[i] is null && !Kept[i].InUse)
            {
                return i;
            }
        }
        return -1;
    }

    public bool HasKeptSlots()
    {
        foreach (var kept in Kept)
        {
            if (kept.InUse)
            {
                return true;
            }
        }
        return false;
    }

    public bool IsEmpty => PlayerCount == 0 && Spectators.Count == 0 && !HasKeptSlots();

    public void PublishCounts() => Entry.SetCounts(PlayerCount + KeptCount(), Spectators.Count);

    private int KeptCount()
    {
        var count = 0;
        foreach (var kept in Kept)
        {
            count += kept.InUse ? 1 : 0;
        }
        return count;
    }
}

/// <summary>A dropped player's slot, held until the reconnect window closes.</summary>
internal struct KeptSlot
{
    public bool InUse;
    public uint PlayerId;
    public long ExpiresUs;
    public byte[]? Token;
}
