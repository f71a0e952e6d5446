namespace Engine.Protocol.Handshake;

/// <summary>Why the server refused a hello; sent in the reject packet.</summary>
public enum RejectReason : byte
{
    None = 0,
    VersionMismatch = 1,
    ServerFull = 2,
    ShuttingDown = 3,

    /// <summary>This IP address already holds as many sessions as the server allows one address.</summary>
    TooManySessionsFromAddress = 4,

    /// <summary>The client sent a token to an insecure server, or none to a server that requires one.</summary>
    SecurityModeMismatch = 5,

    /// <summary>The connect token has expired: ask the backend for a new one.</summary>
    TokenExpired = 6,

    /// <summary>The connect token is invalid, lists another server, or was already used.</summary>
    TokenRefused = 7,

    /// <summary>The server is draining: its games play on, but it takes no new players. Connect to another server.</summary>
    Draining = 8,
}
