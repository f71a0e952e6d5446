using Microsoft.Extensions.Logging;

namespace Engine.Fleet.Registration;

/// <summary>The fleet's log lines. Event ids 300-319.</summary>
internal static partial class FleetLog
{
    [LoggerMessage(300, LogLevel.Information, "registered as {NodeId} at {Address} in the directory {Directory} (TTL {TtlMs} ms)")]
    public static partial void Registered(ILogger logger, string nodeId, string address, string directory, int ttlMs);

    [LoggerMessage(301, LogLevel.Warning, "directory {Directory} unreachable ({Reason}): matchmaking is local to this node until it returns")]
    public static partial void DirectoryLost(ILogger logger, string directory, string reason);

    [LoggerMessage(302, LogLevel.Information, "directory {Directory} reachable again after {Seconds:F1} s: registered again as {NodeId}")]
    public static partial void DirectoryBack(ILogger logger, string directory, double seconds, string nodeId);

    [LoggerMessage(303, LogLevel.Information, "left the directory as {NodeId}")]
    public static partial void Deregistered(ILogger logger, string nodeId);

    [LoggerMessage(304, LogLevel.Warning, "could not leave the directory as {NodeId} ({Reason}): its record expires with its TTL")]
    public static partial void DeregisterFailed(ILogger logger, string nodeId, string reason);

    [LoggerMessage(305, LogLevel.Information, "node {NodeId} is {State} in the directory")]
    public static partial void StateChanged(ILogger logger, string nodeId, string state);

    [LoggerMessage(310, LogLevel.Warning, "directory {Directory} unreachable ({Reason}): serving the last view until its records expire")]
    public static partial void ViewStale(ILogger logger, string directory, string reason);

    [LoggerMessage(311, LogLevel.Information, "directory {Directory} reachable again: {Nodes} nodes")]
    public static partial void ViewBack(ILogger logger, string directory, int nodes);
}
