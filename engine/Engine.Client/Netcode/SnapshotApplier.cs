using Engine.Protocol;
using Engine.Protocol.Snapshots;

namespace Engine.Client.Netcode;

/// <summary>
/// Turns one player's snapshots into frames: drops what is malformed, out of order or another
/// world's, finds the baseline, moves it forward by dead reckoning exactly as the server predicted
/// it, decodes the delta against it, checks that the frame holds this player, and keeps it in
/// <typeparamref name="TFrames"/>. What the new frame means (prediction, interpolation, measurement)
/// is the caller's business. The SDK's <see cref="RoomNetcode"/> and the load-test swarm both apply
/// snapshots through this, each with its own frame store. Allocation-free.
/// </summary>
internal sealed class SnapshotApplier<TFrames> where TFrames : struct, ISnapshotFrames
{
    // The server sends full states only while it has no usable ack from us; a run of them older than
    // our newest frame means our frames came from another tick clock (a room on another shard).
    private const int StaleFullStatesBeforeReset = 3;

    // Not readonly: a store may be a mutable struct, and calls on a readonly field would mutate a copy.
#pragma warning disable IDE0044
    private TFrames _frames;
#pragma warning restore IDE0044
    private int _ownSlot = -1;
    private uint _playerId;
    private int _tickRate;
    private int _staleFullStates;

    private readonly PredictionMemo? _memo;

    /// <param name="memo">Shared by the clients of one process that runs many (the swarm); null: predict every time.</param>
    public SnapshotApplier(TFrames frames, PredictionMemo? memo = null)
    {
        _frames = frames;
        _memo = memo;
    }

    /// <summary>The frame store, for what only its own type knows (the swarm's acknowledgement, the SDK's history).</summary>
    public ref readonly TFrames Frames => ref _frames;

    /// <summary>
    /// Starts a room: forgets every frame. <paramref name="ownSlot"/> is the player's slot, whose
    /// owner every snapshot must say is <paramref name="playerId"/>; -1 for a spectator.
    /// <paramref name="tickRate"/> is the one baselines are predicted forward at.
    /// </summary>
    public void Start(int ownSlot, uint playerId, int tickRate)
    {
        _ownSlot = ownSlot;
        _playerId = playerId;
        _tickRate = tickRate;
        Clear();
    }

    public void Clear()
    {
        _frames.Clear();
        _staleFullStates = 0;
    }

    /// <summary>
    /// Applies one snapshot (header and delta, after the message's prefix); when it is
    /// <see cref="SnapshotOutcome.Applied"/>, <paramref name="frame"/> is the frame decoded and kept.
    /// <paramref name="startedOver"/> says the ticks went backwards for good and every frame was
    /// forgotten first (whatever became of this snapshot), so the caller forgets what it derived from them.
    /// </summary>
    public SnapshotOutcome Apply(ReadOnlySpan<byte> snapshot, out SnapshotHeader header, out SnapshotFrame? frame, out bool startedOver)
    {
        frame = null;
        startedOver = false;
        if (SnapshotHeader.TryRead(snapshot, out header, out _) != DropReason.None)
        {
            return SnapshotOutcome.Malformed;
        }
        if (_frames.TryGetNewestTick(out var newest) && (int)(header.Tick - newest) <= 0)
        {
            if (header.HasBaseline || ++_staleFullStates < StaleFullStatesBeforeReset)
            {
                return SnapshotOutcome.Stale;
            }
            Clear();
            startedOver = true;
        }
        SnapshotFrame? baseline = null;
        if (header.HasBaseline && !_frames.TryGet(header.BaselineTick, out baseline))
        {
            return SnapshotOutcome.MissingBaseline;
        }
        var destination = _frames.Acquire(baseline);

        // Deltas are against the baseline moved forward by dead reckoning, exactly as the server predicted it.
        if (baseline is not null)
        {
            var predicted = _frames.PredictionTarget(destination);
            if (_memo is null)
            {
                SnapshotPrediction.Extrapolate(baseline, header.Tick - header.BaselineTick, _tickRate, predicted);
            }
            else
            {
                _memo.Extrapolate(baseline, header.Tick - header.BaselineTick, _tickRate, predicted);
            }
            baseline = predicted;
        }
        var reason = DeltaDecoder.Decode(baseline, snapshot, destination);
        if (reason != DropReason.None)
        {
            return reason == DropReason.Stale ? SnapshotOutcome.MissingBaseline : SnapshotOutcome.Malformed;
        }
        if (_ownSlot >= 0 && (!destination.IsPresent(_ownSlot) || destination.Get(_ownSlot, SnapshotField.Owner) != (int)_playerId))
        {
            return SnapshotOutcome.Foreign;
        }
        _staleFullStates = 0;
        frame = _frames.Commit(header.Tick, header.HasBaseline ? header.BaselineTick : 0);
        return SnapshotOutcome.Applied;
    }
}
