using System.Diagnostics.CodeAnalysis;
using Engine.Protocol.Snapshots;

namespace Engine.Client.Netcode;

/// <summary>
/// The SDK's frames: a <see cref="SnapshotHistory"/> of the newest frames, one frame to decode into
/// aside (copied into the history only once it decoded and proved this player's) and one for the
/// predicted baseline, which interpolation compares partial snapshots with.
/// </summary>
internal readonly struct HistoryFrames : ISnapshotFrames
{
    private readonly SnapshotHistory _history;
    private readonly SnapshotFrame _scratch;

    public HistoryFrames(int capacity)
    {
        _history = new SnapshotHistory(capacity);
        _scratch = new SnapshotFrame(capacity);
        Predicted = new SnapshotFrame(capacity);
    }

    /// <summary>The baseline of the last delta decoded, moved forward to its tick as the server predicted it.</summary>
    public SnapshotFrame Predicted { get; }

    public SnapshotFrame? Latest => _history.Latest;

    public bool TryGetNewestTick(out uint tick)
    {
        tick = _history.Latest?.Tick ?? 0;
        return _history.Latest is not null;
    }

    public bool TryGet(uint tick, [NotNullWhen(true)] out SnapshotFrame? frame) => _history.TryGet(tick, out frame);

    public SnapshotFrame Acquire(SnapshotFrame? baseline) => _scratch;

    public SnapshotFrame PredictionTarget(SnapshotFrame destination) => Predicted;

    public SnapshotFrame Commit(uint tick, uint baselineTick)
    {
        var frame = _history.Push(tick);
        frame.CopyFrom(_scratch);
        return frame;
    }

    public void Clear() => _history.Clear();
}
