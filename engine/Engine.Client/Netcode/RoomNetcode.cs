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
    // The server sends full states only while it has no usable ack from us; a run of them older than
    // our newest frame means our frames came from another tick clock (a room on another shard).
    private const int StaleFullStatesBeforeReset = 3;
    private const long EmptySlot = -1;

    private readonly SnapshotHistory _history;
    private readonly SnapshotFrame _scratch;
    private readonly SnapshotFrame _predicted;
    private readonly long[] _owners;
    private readonly int _ownSlot;
    private readonly NetcodeStats _stats;
    private readonly int _delayMs;
    private readonly int _maxExtrapolationMs;
    private int _staleFullStates;

    public RoomNetcode(RoomInfo room, in ArenaSettings arena, int delayMs, int maxExtrapolationMs, NetcodeStats stats)
    {
        Room = room;
        _stats = stats;
        _delayMs = delayMs;
        _maxExtrapolationMs = maxExtrapolationMs;
        var capacity = Math.Max(room.Capacity, 1);
        _history = new SnapshotHistory(capacity);
        _scratch = new SnapshotFrame(capacity);
        _predicted = new SnapshotFrame(capacity);
        _owners = new long[capacity];
        Array.Fill(_owners, EmptySlot);
        _ownSlot = room.IsSpectator ? -1 : room.Slot;
        Predictor = new Predictor(arena, default, stats: stats);
        Interpolator = NewInterpolator();
    }

    public RoomInfo Room { get; }
    public bool IsSpectator => _ownSlot < 0;
    public Predictor Predictor { get; }
    public Interpolator Interpolator { get; private set; }

    /// <summary>
    /// True once the first snapshot brought this player's spawn state: prediction starts from it, so
    /// inputs before then would be predicted from a guess and corrected.
    /// </summary>
    public bool Seeded { get; private set; }

    /// <summary>The newest tick decoded and kept: what the client acknowledges. 0 before the first.</summary>
    public uint NewestTick => _history.Latest?.Tick ?? 0;

    public SnapshotFrame? Latest => _history.Latest;

    /// <summary>Decodes one snapshot payload (after the input-sequence prefix) and feeds what it says to prediction and interpolation.</summary>
    public SnapshotOutcome OnSnapshot(uint lastAppliedInput, ReadOnlySpan<byte> payload, long nowUs)
    {
        if (SnapshotHeader.TryRead(payload, out var header, out _) != DropReason.None)
        {
            return SnapshotOutcome.Malformed;
        }
        var latest = _history.Latest;
        if (latest is not null && (int)(header.Tick - latest.Tick) <= 0)
        {
            if (header.HasBaseline || ++_staleFullStates < StaleFullStatesBeforeReset)
            {
                return SnapshotOutcome.Stale;
            }
            StartOver();
        }
        SnapshotFrame? baseline = null;
        if (header.HasBaseline && !_history.TryGet(header.BaselineTick, out baseline))
        {
            return SnapshotOutcome.MissingBaseline;
        }

        // Deltas are against the baseline moved forward by dead reckoning, exactly as the server predicted it.
        if (baseline is not null)
        {
            SnapshotPrediction.Extrapolate(baseline, header.Tick - header.BaselineTick, Room.TickRate, _predicted);
            baseline = _predicted;
        }

        // Decoded aside first: a payload that turns out malformed must not leave a half-written frame in the history.
        var reason = DeltaDecoder.Decode(baseline, payload, _scratch);
        if (reason != DropReason.None)
        {
            return reason == DropReason.Stale ? SnapshotOutcome.MissingBaseline : SnapshotOutcome.Malformed;
        }
        if (_ownSlot >= 0 && (!_scratch.IsPresent(_ownSlot) || _scratch.Get(_ownSlot, SnapshotField.Owner) != (int)Room.PlayerId))
        {
            return SnapshotOutcome.Foreign;
        }
        _staleFullStates = 0;
        var frame = _history.Push(header.Tick);
        frame.CopyFrom(_scratch);

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

    /// <summary>The ticks went backwards for good: forget every frame and sample, keep the prediction.</summary>
    private void StartOver()
    {
        _history.Clear();
        Array.Fill(_owners, EmptySlot);
        Interpolator = NewInterpolator();
        _staleFullStates = 0;
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
