namespace Engine.Server.Diagnostics;

/// <summary>The distributions one shard records on its own thread: readers on other threads aggregate them.</summary>
public sealed class ShardHistograms
{
    /// <summary>Duration of each tick (simulate and encode every room of the shard), in microseconds.</summary>
    public LogLinearHistogram TickDurationUs { get; } = new();

    /// <summary>CPU time the shard thread spent in each tick, in microseconds: the tick's cost without the time it waited for a core.</summary>
    public LogLinearHistogram TickCpuUs { get; } = new();

    /// <summary>A session's smoothed round-trip time, in microseconds, sampled each time one of the server's pings is answered.</summary>
    public LogLinearHistogram RttUs { get; } = new();

    /// <summary>Size of each snapshot message sent to a player or spectator, in bytes.</summary>
    public LogLinearHistogram SnapshotBytes { get; } = new();
}
