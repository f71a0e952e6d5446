using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>The host's log lines (the server's own are in Engine.Server.Diagnostics.EngineLog).</summary>
internal static partial class HostLog
{
    [LoggerMessage(100, LogLevel.Information, "stats sessions={Sessions} rooms={Rooms} rx={RxPerSecond}/s tx={TxPerSecond}/s rx_bytes={RxBytesPerSecond}/s tx_bytes={TxBytesPerSecond}/s rx_batch={RxPerCall} tx_batch={TxPerCall} drops={Drops} kernel_drops={KernelDrops} misrouted={Misrouted} tick_p99_us={TickP99Us} tick_cpu_p99_us={TickCpuP99Us} tick_max_us={TickMaxUs} alloc={AllocatedBytes} overload={OverloadLevel} snapshots_per_player={SnapshotsPerPlayerPerSecond}/s deferred={DeferredPerSecond}/s encodes_shared={SharedEncodesPerSnapshotTick}/snapshot_tick encodes_lone={LoneEncodesPerSnapshotTick}/snapshot_tick shed={ShedPerSecond}/s state={State}")]
    public static partial void Stats(ILogger logger, int sessions, int rooms, long rxPerSecond, long txPerSecond, long rxBytesPerSecond, long txBytesPerSecond, double rxPerCall, double txPerCall, long drops, long kernelDrops, long misrouted, long tickP99Us, long tickCpuP99Us, long tickMaxUs, long allocatedBytes,
        int overloadLevel, double snapshotsPerPlayerPerSecond, long deferredPerSecond, double sharedEncodesPerSnapshotTick, double loneEncodesPerSnapshotTick, long shedPerSecond, string state);

    [LoggerMessage(101, LogLevel.Information, "{Trigger}: shutting down now")]
    public static partial void StoppingNow(ILogger logger, string trigger);

    [LoggerMessage(102, LogLevel.Critical, "cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(103, LogLevel.Critical, "a shard failed; shutting down")]
    public static partial void ShardFailed(ILogger logger);

    [LoggerMessage(104, LogLevel.Information, "admin endpoint on {Address} (/metrics, /healthz, /readyz)")]
    public static partial void AdminListening(ILogger logger, string address);

    [LoggerMessage(105, LogLevel.Information, "{Trigger}: draining: no new players or rooms; {Players} player(s) in rooms play on until they leave, for {DeadlineSeconds} s at most")]
    public static partial void DrainStarted(ILogger logger, string trigger, int players, long deadlineSeconds);

    [LoggerMessage(106, LogLevel.Information, "drain over after {Seconds:0.0} s: {Why} ({Players} player(s) still in rooms)")]
    public static partial void DrainEnded(ILogger logger, string why, int players, double seconds);

    [LoggerMessage(107, LogLevel.Information, "received SIGTERM: draining already; a second SIGTERM or a SIGINT stops at once")]
    public static partial void AlreadyDraining(ILogger logger);

    [LoggerMessage(110, LogLevel.Information, "agones: reporting to the SDK gateway at {Address}")]
    public static partial void AgonesStarting(ILogger logger, string address);

    [LoggerMessage(111, LogLevel.Information, "agones: {State}")]
    public static partial void AgonesState(ILogger logger, string state);

    [LoggerMessage(112, LogLevel.Warning, "agones: {Failure}; retrying")]
    public static partial void AgonesCallFailed(ILogger logger, string failure);

    [LoggerMessage(113, LogLevel.Information, "agones: {Call} works again")]
    public static partial void AgonesCallRecovered(ILogger logger, string call);

    [LoggerMessage(114, LogLevel.Warning, "agones: Shutdown not acknowledged within {Seconds} s; exiting anyway (Agones then marks the game server Unhealthy and replaces it)")]
    public static partial void AgonesShutdownUnsent(ILogger logger, double seconds);
}
