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

    /// <summary>u16 message id, then a whole reliable message; delivered exactly once, in id order.</summary>
    Reliable = 0x05,

    /// <summary>u16 id, u16 fragment index, u16 fragment count (2..1024), then at least one byte of a reliable message too large for one packet.</summary>
    ReliableFragment = 0x06,

    /// <summary>Client to server, unreliable: the newest player inputs and the newest snapshot tick received (docs/PROTOCOL.md, "Inputs").</summary>
    Input = 0x07,

    /// <summary>Server to client, unreliable: the last input applied and a delta snapshot (docs/PROTOCOL.md, "Snapshots").</summary>
    Snapshot = 0x08,
}
