using Engine.Protocol.Wire;

namespace Engine.Protocol.Sessions;

/// <summary>Timers and limits of one established connection; the server announces them in its welcome.</summary>
public sealed record ConnectionOptions
{
    /// <summary>Silence from the peer for this long closes the connection.</summary>
    public long TimeoutUs { get; init; } = 5_000_000;

    /// <summary>Each side pings this often; the ping doubles as the keep-alive.</summary>
    public long PingIntervalUs { get; init; } = 1_000_000;

    /// <summary>The largest datagram either side sends.</summary>
    public int MaxPayload { get; init; } = ProtocolConstants.DefaultMaxPayload;

    /// <summary>How many copies of the disconnect message are sent, since it is not acknowledged.</summary>
    public int DisconnectRepeats { get; init; } = 3;

    /// <summary>Every packet is sealed with the session's keys (AES-GCM, a 16-byte tag each).</summary>
    public bool Sealed { get; init; }

    public static ConnectionOptions Default { get; } = new();
}
