using System.Diagnostics.CodeAnalysis;
using Engine.Protocol.Snapshots;

namespace Engine.Client.Netcode;

/// <summary>
/// Where a <see cref="SnapshotApplier{TFrames}"/> keeps the frames it decoded, so later deltas find
/// their baselines. The SDK keeps a deep history (<see cref="HistoryFrames"/>); the load-test swarm,
/// with thousands of players, keeps a few frames and paces its acknowledgements to them. Implemented
/// by structs, so the applier's calls are specialised and not dispatched.
/// </summary>
internal interface ISnapshotFrames
{
    /// <summary>
    /// The tick of the newest snapshot decoded, which later ones must follow; false before the first
    /// and after <see cref="Clear"/>. It stays even if its frame was since given up to decode into.
    /// </summary>
    bool TryGetNewestTick(out uint tick);

    /// <summary>The frame of <paramref name="tick"/> if it is still kept.</summary>
    bool TryGet(uint tick, [NotNullWhen(true)] out SnapshotFrame? frame);

    /// <summary>
    /// A frame to decode the next snapshot into: never <paramref name="baseline"/>, and kept only
    /// once <see cref="Commit"/> says so (a snapshot that fails to decode must not replace a frame).
    /// </summary>
    SnapshotFrame Acquire(SnapshotFrame? baseline);

    /// <summary>
    /// Where the baseline, moved forward by dead reckoning, is written before the delta is decoded
    /// against it: a frame of its own when the caller looks at it afterwards, else
    /// <paramref name="destination"/> itself (the decoder takes its baseline in place).
    /// </summary>
    SnapshotFrame PredictionTarget(SnapshotFrame destination);

    /// <summary>
    /// Keeps the frame last acquired, now decoded, as the newest: the frame of <paramref name="tick"/>,
    /// built on <paramref name="baselineTick"/> (0 for a full state). Returns the frame kept.
    /// </summary>
    SnapshotFrame Commit(uint tick, uint baselineTick);

    /// <summary>Forgets every frame.</summary>
    void Clear();
}
