using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Engine.Protocol.Rooms;
using Engine.Protocol.Snapshots;
using Engine.Server.Sessions;
using Engine.Server.Simulation;
using Engine.Server.Snapshots;

namespace Engine.Server.Rooms;

/// <summary>
/// A room on the shard that owns it: its players by slot, its spectators, and the slots kept for
/// reconnects. It seats, removes, keeps and expires its own slots, and keeps the directory's counts
/// and the simulation in step with them; callers never change a slot directly.
/// </summary>
internal sealed class Room
{
    private readonly Session?[] _slots;
    private readonly KeptSlot[] _kept;
    private readonly List<Session> _spectators = new();

    /// <param name="historyDepth">Snapshot frames the room keeps (<see cref="ServerOptions.SnapshotHistoryDepth"/>).</param>
    public Room(RoomEntry entry, IGameMode mode, int historyDepth = SnapshotView.Remembered + 1)
    {
        Entry = entry;
        _slots = new Session?[entry.Capacity];
        _kept = new KeptSlot[entry.Capacity];
        Mode = mode;
        Inputs = new InputValidator(entry.Capacity);
        History = new SnapshotHistory(entry.Capacity, historyDepth);
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
    public int Capacity => _slots.Length;

    /// <summary>The players by slot (null where none sits).</summary>
    public ReadOnlySpan<Session?> Slots => _slots;
    public ReadOnlySpan<Session> Spectators => CollectionsMarshal.AsSpan(_spectators);
    public int PlayerCount { get; private set; }
    public bool HasAudience => PlayerCount > 0 || _spectators.Count > 0;

    /// <summary>
    /// The slot the room's next snapshot tick starts with: where the shard's allowance of lone
    /// encodes ran out last time, so that over budget the room's players take turns (0 otherwise).
    /// </summary>
    public int SnapshotStartSlot { get; set; }

    /// <summary>When the room became empty (no players, spectators or kept slots); -1 while in use.</summary>
    public long EmptySinceUs { get; private set; } = -1;

    public bool IsEmpty => PlayerCount == 0 && _spectators.Count == 0 && KeptCount() == 0;

    /// <summary>
    /// Readies a closed room's storage (slots, input buffers, snapshot history: about 100 KB for 50
    /// players) for a new room of the same capacity, as if just constructed.
    /// </summary>
    public void Reopen(RoomEntry entry, IGameMode mode)
    {
        if (entry.Capacity != _slots.Length)
        {
            throw new ArgumentException($"a room of {_slots.Length} cannot reopen as one of {entry.Capacity}", nameof(entry));
        }
        Entry = entry;
        Mode = mode;
        Array.Clear(_slots);
        for (var i = 0; i < _kept.Length; i++)
        {
            _kept[i] = new KeptSlot { Token = _kept[i].Token }; // the token buffer is reused
        }
        Inputs.Reset();
        History.Clear();
        _spectators.Clear();
        SnapshotStartSlot = 0;
        PlayerCount = 0;
        EmptySinceUs = -1;
    }

    /// <summary>A room just opened is empty from <paramref name="nowUs"/>: it closes after the grace period unless somebody comes.</summary>
    public void StartEmpty(long nowUs) => EmptySinceUs = nowUs;

    /// <summary>Seats a player in the first free slot (not one kept for a reconnect) with a new resume token; the slot, or -1 when full.</summary>
    public int Seat(Session session)
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is null && !_kept[slot].InUse)
            {
                RandomNumberGenerator.Fill(session.ResumeToken);
                SeatAt(slot, session);
                return slot;
            }
        }
        return -1;
    }

    /// <summary>
    /// Gives a reconnecting player back the slot kept under <paramref name="token"/>, with its player
    /// id, and retires the token; the slot, or -1 when no slot is kept under it.
    /// </summary>
    public int Resume(Session session, ReadOnlySpan<byte> token, RoomDirectory directory)
    {
        for (var slot = 0; slot < _kept.Length; slot++)
        {
            ref var kept = ref _kept[slot];
            if (kept.InUse && kept.Token is not null && CryptographicOperations.FixedTimeEquals(kept.Token, token))
            {
                kept.InUse = false;
                directory.RemoveResumeToken(token);
                session.AdoptPlayerId(kept.PlayerId);
                RandomNumberGenerator.Fill(session.ResumeToken);
                SeatAt(slot, session);
                return slot;
            }
        }
        return -1;
    }

    public void AddSpectator(Session session)
    {
        _spectators.Add(session);
        session.Room = this;
        session.Slot = RoomLimits.NoSlot;
        session.ResetView(_slots.Length);
        Occupied();
    }

    /// <summary>
    /// Takes the session out: a spectator simply leaves; a player's slot is freed, or kept for
    /// <paramref name="keepSlotUs"/> (a reconnect with its resume token takes it back). Returns the
    /// slot it left (<see cref="RoomLimits.NoSlot"/> for a spectator).
    /// </summary>
    public byte Leave(Session session, long nowUs, long keepSlotUs, RoomDirectory directory)
    {
        var slot = session.Slot;
        session.Room = null;
        session.Slot = RoomLimits.NoSlot;
        if (slot == RoomLimits.NoSlot)
        {
            _spectators.Remove(session);
        }
        else
        {
            _slots[slot] = null;
            PlayerCount--;
            Inputs.Leave(slot);
            Mode.OnPlayerLeft(slot);
            if (keepSlotUs > 0)
            {
                ref var kept = ref _kept[slot];
                kept.InUse = true;
                kept.PlayerId = session.PlayerId;
                kept.ExpiresUs = nowUs + keepSlotUs;
                kept.Token ??= new byte[RoomLimits.ResumeTokenSize];
                session.ResumeToken.CopyTo(kept.Token, 0);
                directory.AddResumeToken(kept.Token, Id);
            }
        }
        Vacated(nowUs);
        return slot;
    }

    /// <summary>Frees the slots whose reconnect window has closed, and tells the room those players are gone for good.</summary>
    public void ExpireKeptSlots<TOutput>(TOutput output, long nowUs, RoomDirectory directory)
        where TOutput : struct, ISessionOutput
    {
        Span<byte> message = stackalloc byte[RoomMessages.PlayerLeftSize];
        for (var slot = 0; slot < _kept.Length; slot++)
        {
            ref var kept = ref _kept[slot];
            if (kept.InUse && kept.ExpiresUs <= nowUs)
            {
                kept.InUse = false;
                directory.RemoveResumeToken(kept.Token);
                Vacated(nowUs);
                Broadcast(output, message.Slice(0, RoomMessages.PlayerLeft(message, (byte)slot, kept.PlayerId, RoomLeaveReason.ReconnectExpired)), except: null, nowUs);
            }
        }
    }

    /// <summary>Empty for the whole grace period, and no player on the way: the room may close.</summary>
    public bool CanClose(long nowUs, long graceUs) =>
        IsEmpty && EmptySinceUs >= 0 && nowUs - EmptySinceUs >= graceUs && Entry.Occupied == 0;

    /// <summary>Sends a reliable message to every player and spectator but <paramref name="except"/>.</summary>
    public void Broadcast<TOutput>(TOutput output, ReadOnlySpan<byte> message, Session? except, long nowUs)
        where TOutput : struct, ISessionOutput
    {
        foreach (var player in _slots)
        {
            if (player is not null && player != except)
            {
                output.SendReliable(player, message, nowUs);
            }
        }
        foreach (var spectator in Spectators)
        {
            if (spectator != except)
            {
                output.SendReliable(spectator, message, nowUs);
            }
        }
    }

    private void SeatAt(int slot, Session session)
    {
        _slots[slot] = session;
        PlayerCount++;
        session.Room = this;
        session.Slot = (byte)slot;
        Inputs.Join(session.Slot);
        Mode.OnPlayerJoined(session.Slot, session.TokenPlayerId);
        session.ResetView(_slots.Length);
        Occupied();
    }

    private void Occupied()
    {
        EmptySinceUs = -1;
        PublishCounts();
    }

    private void Vacated(long nowUs)
    {
        PublishCounts();
        if (IsEmpty)
        {
            EmptySinceUs = nowUs;
        }
    }

    /// <summary>Kept slots count as players in the directory: nobody else may take them.</summary>
    private void PublishCounts() => Entry.SetCounts(PlayerCount, KeptCount(), _spectators.Count);

    private int KeptCount()
    {
        var count = 0;
        foreach (var kept in _kept)
        {
            count += kept.InUse ? 1 : 0;
        }
        return count;
    }

    /// <summary>A dropped player's slot, held until the reconnect window closes.</summary>
    private struct KeptSlot
    {
        public bool InUse;
        public uint PlayerId;
        public long ExpiresUs;
        public byte[]? Token;
    }
}
