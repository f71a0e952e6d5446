using Engine.Protocol;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;

namespace Engine.Client.Netcode;

/// <summary>
/// The world of one room as this client sees it: the frames decoded so far (so the next delta finds
/// its baseline), the local player's prediction and the other players' interpolation. Built when
/// the client joins a room (a new <see cref="RoomInfo"/>) and thrown away when it leaves, so ticks,
/// sequences and slots of one room never leak into the next. Allocation-free after construction.
/// </summary>
internal sealed class RoomNetcode
{
    private const long EmptySlot = -1;

    private readonly SnapshotApplier<HistoryFrames> _snapshots;
    private readonly long[] _owners;
    private readonly int _ownSlot;
    private readonly NetcodeStats _stats;
    private readonly int _delayMs;
    private readonly int _maxExtrapolationMs;

    public RoomNetcode(RoomInfo room, in ArenaSettings arena, int delayMs, int maxExtrapolationMs, NetcodeStats stats)
    {
        Room = room;
        _stats = stats;
        _delayMs = delayMs;
        _maxExtrapolationMs = maxExtrapolationMs;
        var capacity = Math.Max(room.Capacity, 1);
        _owners = new long[capacity];
        Array.Fill(_owners, EmptySlot);
        _ownSlot = room.IsSpectator ? -1 : room.Slot;
        _snapshots = new SnapshotApplier<HistoryFrames>(new HistoryFrames(capacity));
        _snapshots.Start(_ownSlot, room.PlayerId, room.TickRate);
        Predictor = new Predictor(arena, default, stats: stats);
        Interpolator = NewInterpolator();
    }

    public RoomInfo Room { get; }

    /// <summary>The room epoch of the Joined that built this netcode: a snapshot carrying another is from a room left before.</summary>
    public byte Epoch { get; init; }

    public bool IsSpectator => _ownSlot < 0;
    public Predictor Predictor { get; }
    public Interpolator Interpolator { get; private set; }

    /// <summary>
    /// True once the first snapshot brought this player's spawn state: prediction starts from it, so
    /// inputs before then would be predicted from a guess and corrected.
    /// </summary>
    public bool Seeded { get; private set; }

    /// <summary>The newest tick decoded and kept: what the client acknowledges. 0 before the first.</summary>
    public uint NewestTick => Latest?.Tick ?? 0;

    public SnapshotFrame? Latest => _snapshots.Frames.Latest;

    /// <summary>
    /// One snapshot message: dropped as <see cref="SnapshotOutcome.Foreign"/> when its room epoch is
    /// not <see cref="Epoch"/> (ticks go on across rooms, so only the epoch tells a late snapshot of
    /// the previous room apart), else decoded as <see cref="OnSnapshot"/> does.
    /// </summary>
    public SnapshotOutcome OnMessage(ReadOnlySpan<byte> message, long nowUs)
    {
        if (SnapshotMessage.TryRead(message, out var lastAppliedInput, out var epoch, out var snapshot) != DropReason.None)
        {
            return SnapshotOutcome.Malformed;
        }
        return epoch != Epoch ? SnapshotOutcome.Foreign : OnSnapshot(lastAppliedInput, snapshot, nowUs);
    }

    /// <summary>Decodes one snapshot (after the message's prefix) and feeds what it says to prediction and interpolation.</summary>
    public SnapshotOutcome OnSnapshot(uint lastAppliedInput, ReadOnlySpan<byte> snapshot, long nowUs)
    {
        var outcome = _snapshots.Apply(snapshot, out var header, out var frame, out var startedOver);
        if (startedOver)
        {
            ForgetPlayers();
        }
        if (frame is null)
        {
            return outcome; // not applied
        }
        var baseline = header.HasBaseline ? _snapshots.Frames.Predicted : null;
        if (_ownSlot >= 0)
        {
            Reconcile(ArenaSnapshot.Read(frame, _ownSlot), lastAppliedInput);
        }
        Interpolator.OnSnapshot(header.Tick, nowUs);
        for (var slot = 0; slot < frame.Capacity; slot++)
        {
            if (slot != _ownSlot)
            {
                Track(frame, baseline, slot, header);
            }
        }
        return SnapshotOutcome.Applied;
    }

    /// <summary>Another player's state at the interpolator's render time; false when not seen yet.</summary>
    public bool TrySample(uint playerId, long nowUs, out PlayerState state)
    {
        for (var slot = 0; slot < _owners.Length; slot++)
        {
            if (_owners[slot] == playerId)
            {
                return Interpolator.Sample(slot, Interpolator.RenderTimeUs(nowUs), out state) != SampleKind.None;
            }
        }
        state = default;
        return false;
    }

    private void Reconcile(in PlayerState authoritative, uint lastAppliedInput)
    {
        if (Seeded)
        {
            Predictor.Reconcile(authoritative, lastAppliedInput);
            return;
        }
        // The server restarts sequences at join, so this is usually 0; but inputs sent after the
        // server moved us and before we heard of it may already have been applied in the new
        // room: continue after whatever it applied, or we would wait for a 0 that never comes.
        Predictor.Reset(authoritative, lastAppliedInput);
        Seeded = true;
    }

    private void Track(SnapshotFrame frame, SnapshotFrame? baseline, int slot, in SnapshotHeader header)
    {
        if (!frame.IsPresent(slot))
        {
            if (_owners[slot] != EmptySlot)
            {
                Interpolator.Remove(slot);
                _owners[slot] = EmptySlot;
            }
            return;
        }
        var owner = (long)(uint)frame.Get(slot, SnapshotField.Owner);
        if (owner != _owners[slot])
        {
            // Someone else took the slot: their path does not continue the previous player's.
            Interpolator.Remove(slot);
            _owners[slot] = owner;
        }
        // A partial snapshot leaves some players at their baseline state; an unchanged state may be
        // one of those, and stamping it with this tick would make that player stutter.
        if (header.Partial && baseline is not null && baseline.IsPresent(slot) && SameState(frame, baseline, slot))
        {
            return;
        }
        Interpolator.Add(slot, header.Tick, ArenaSnapshot.Read(frame, slot));
    }

    /// <summary>The ticks went backwards for good and the frames are gone: forget every sample too, keep the prediction.</summary>
    private void ForgetPlayers()
    {
        Array.Fill(_owners, EmptySlot);
        Interpolator = NewInterpolator();
    }

    private Interpolator NewInterpolator() =>
        new(_owners.Length, Room.TickRate > 0 ? Room.TickRate : ArenaSettings.Default.TickRate, _delayMs, _maxExtrapolationMs, stats: _stats);

    private static bool SameState(SnapshotFrame a, SnapshotFrame b, int slot)
    {
        for (var field = SnapshotField.PositionX; field <= SnapshotField.Owner; field++)
        {
            if (a.Get(slot, field) != b.Get(slot, field))
            {
                return false;
            }
        }
        return true;
    }
}
