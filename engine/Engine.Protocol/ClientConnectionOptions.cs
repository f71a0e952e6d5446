namespace Engine.Protocol;

public sealed record ClientConnectionOptions
{
    /// <summary>Give up the handshake after this long without a welcome.</summary>
    public long ConnectTimeoutUs { get; init; } = 5_000_000;

    /// <summary>A hello unanswered for this long is sent again.</summary>
    public long HelloResendUs { get; init; } = 250_000;

    /// <summary>Keep-alive and timeout are the server's (from its welcome); these only cap what it may ask.</summary>
    public int MaxPayload { get; init; } = Wire.ProtocolConstants.DefaultMaxPayload;

    public static ClientConnectionOptions Default { get; } = new();
}
