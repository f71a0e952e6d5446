namespace Engine.Server.Diagnostics;

/// <summary>A point-in-time sum of every shard's counters.</summary>
public readonly record struct ServerStatistics(
    int Sessions,
    long DatagramsIn,
    long DatagramsOut,
    long BytesIn,
    long BytesOut,
    long Drops,
    long SessionsOpened,
    long SessionsClosed,
    long SessionsTimedOut,
    long MisroutedSessionPackets,
    long KernelDrops,
    long ReceiveCalls,
    long SendCalls,
    long SnapshotsSent,
    long SnapshotsDeferred,
    long SharedEncodings,
    long LoneEncodings,
    long OverloadShed,
    int OverloadLevel);
