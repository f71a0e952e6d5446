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
}
