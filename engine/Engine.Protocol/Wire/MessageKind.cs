namespace Engine.Protocol.Wire;

/// <summary>The kind byte that starts each message inside a session packet.</summary>
public enum MessageKind : byte
{
    /// <summary>u64 sender time in microseconds; the peer answers with a pong carrying it back.</summary>
    Ping = 0x01,
    Pong = 0x02,

    /// <summary>One byte: a <see cref="Sessions.DisconnectReason"/>.</summary>
    Disconnect = 0x03,

    /// <summary>Application bytes, delivered at most once, in no particular order.</summary>
    Unreliable = 0x04,
}
