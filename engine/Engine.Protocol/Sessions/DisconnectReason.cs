namespace Engine.Protocol.Sessions;

/// <summary>Carried by the disconnect message and reported to both ends.</summary>
public enum DisconnectReason : byte
{
    None = 0,
    ClientRequest = 1,
    Timeout = 2,
    ServerShuttingDown = 3,
    Kicked = 4,
    ProtocolError = 5,
    ConnectTimeout = 6,
    Rejected = 7,
}
