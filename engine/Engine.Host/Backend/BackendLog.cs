using Microsoft.Extensions.Logging;

namespace Engine.Host.Backend;

/// <summary>The backend's log lines. Event ids 400-419.</summary>
internal static partial class BackendLog
{
    [LoggerMessage(400, LogLevel.Information, "backend on {Address} (/v1/matchmake, /v1/rooms, /v1/rooms/{{id}}/join, /v1/nodes), directory {Directory}")]
    public static partial void Listening(ILogger logger, string address, string directory);

    [LoggerMessage(401, LogLevel.Critical, "cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(402, LogLevel.Information, "received {Signal}: shutting down")]
    public static partial void SignalReceived(ILogger logger, string signal);

    [LoggerMessage(403, LogLevel.Warning, "no open node fits a request for capacity {Capacity}, mode '{Mode}' ({Nodes} nodes in the directory)")]
    public static partial void NoNode(ILogger logger, int capacity, string mode, int nodes);
}
