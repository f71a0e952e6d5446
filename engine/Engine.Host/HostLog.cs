using Microsoft.Extensions.Logging;

namespace Engine.Host;

/// <summary>The host's log lines (the server's own are in Engine.Server.Diagnostics.EngineLog).</summary>
internal static partial class HostLog
{
    [LoggerMessage(100, LogLevel.Information, "stats sessions={Sessions} rooms={Rooms} rx={RxPerSecond}/s tx={TxPerSecond}/s rx_bytes={RxBytesPerSecond}/s tx_bytes={TxBytesPerSecond}/s rx_batch={RxPerCall} tx_batch={TxPerCall} drops={Drops} kernel_drops={KernelDrops} misrouted={Misrouted} tick_p99_us={TickP99Us} tick_cpu_p99_us={TickCpuP99Us} tick_max_us={TickMaxUs} alloc={AllocatedBytes} overload={OverloadLevel} snapshots_per_player={SnapshotsPerPlayerPerSecond}/s deferred={DeferredPerSecond}/s encodes_shared={SharedEncodesPerSnapshotTick}/snapshot_tick encodes_lone={LoneEncodesPerSnapshotTick}/snapshot_tick shed={ShedPerSecond}/s")]
    public static partial void Stats(ILogger logger, int sessions, int rooms, long rxPerSecond, long txPerSecond, long rxBytesPerSecond, long txBytesPerSecond, double rxPerCall, double txPerCall, long drops, long kernelDrops, long misrouted, long tickP99Us, long tickCpuP99Us, long tickMaxUs, long allocatedBytes,
        int overloadLevel, double snapshotsPerPlayerPerSecond, long deferredPerSecond, double sharedEncodesPerSnapshotTick, double loneEncodesPerSnapshotTick, long shedPerSecond);

    [LoggerMessage(101, LogLevel.Information, "received {Signal}: shutting down")]
    public static partial void SignalReceived(ILogger logger, string signal);

    [LoggerMessage(102, LogLevel.Critical, "cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(103, LogLevel.Critical, "a shard failed; shutting down")]
    public static partial void ShardFailed(ILogger logger);

    [LoggerMessage(104, LogLevel.Information, "admin endpoint on {Address} (/metrics, /healthz, /readyz)")]
    public static partial void AdminListening(ILogger logger, string address);
}
