using Microsoft.Extensions.Logging;

namespace Engine.Server.Diagnostics;

/// <summary>Every log line the server writes, source-generated, with fixed event ids. Nothing here runs per packet.</summary>
public static partial class EngineLog
{
    [LoggerMessage(1, LogLevel.Information, "listening on {Address} with {Shards} shard(s); kernel granted receive buffer {ReceiveBytes} B, send buffer {SendBytes} B per socket; GSO {Gso}; steering {Steering}")]
    public static partial void Listening(ILogger logger, string address, int shards, int receiveBytes, int sendBytes, string gso, string steering);

    [LoggerMessage(2, LogLevel.Debug, "shard {Shard} started (pinned to cpu {Cpu})")]
    public static partial void ShardStarted(ILogger logger, int shard, int cpu);

    [LoggerMessage(3, LogLevel.Critical, "shard {Shard} stopped on an unexpected error")]
    public static partial void ShardFailed(ILogger logger, int shard, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "this platform is not supported: Engine's transport needs Linux (found {Platform})")]
    public static partial void PlatformNotSupported(ILogger logger, string platform);

    [LoggerMessage(5, LogLevel.Information, "shutting down: disconnecting {Sessions} session(s)")]
    public static partial void ShuttingDown(ILogger logger, int sessions);

    [LoggerMessage(6, LogLevel.Information, "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(7, LogLevel.Warning, "shard {Shard} did not stop within the shutdown deadline")]
    public static partial void ShardStuck(ILogger logger, int shard);

    [LoggerMessage(8, LogLevel.Warning, "asked for a {Requested} B socket buffer, the kernel granted {Granted} B (raise net.core.rmem_max / wmem_max, or run with CAP_NET_ADMIN)")]
    public static partial void SmallSocketBuffer(ILogger logger, int requested, int granted);
}
