namespace Engine.Client.Netcode;

/// <summary>
/// Everything a net graph shows, read at once with <see cref="EngineClient.GetStats"/>. A value type,
/// so reading it every frame allocates nothing. Rates are over the last whole second measured.
/// </summary>
public readonly record struct ClientStats
{
    /// <summary>Smoothed round-trip time to the server; zero until the first pong.</summary>
    public TimeSpan RoundTripTime { get; init; }

    /// <summary>Variation of the round-trip time (RFC 6298 rttvar): how jittery the path is.</summary>
    public TimeSpan RoundTripTimeVariance { get; init; }

    /// <summary>Fraction of this client's packets the server never acknowledged, 0..1.</summary>
    public double PacketLoss { get; init; }

    public long PacketsSent { get; init; }
    public long PacketsReceived { get; init; }

    /// <summary>UDP payload bytes (headers of IP and UDP not included) since the session started.</summary>
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }

    /// <summary>Upload, bytes per second over the last second.</summary>
    public double BytesSentPerSecond { get; init; }

    /// <summary>Download, bytes per second over the last second.</summary>
    public double BytesReceivedPerSecond { get; init; }

    /// <summary>Snapshot messages that arrived, whatever became of them.</summary>
    public long SnapshotsReceived { get; init; }

    /// <summary>Snapshots decoded and used (the others are stale or dropped).</summary>
    public long SnapshotsApplied { get; init; }

    /// <summary>Snapshots not newer than one already applied (reordered or duplicated): ignored, harmless.</summary>
    public long SnapshotsStale { get; init; }

    /// <summary>Snapshots dropped: baseline no longer held, malformed, or not for the room this client is in.</summary>
    public long SnapshotsDropped { get; init; }

    /// <summary>The part of <see cref="SnapshotsDropped"/> whose baseline frame this client no longer held.</summary>
    public long SnapshotsMissingBaseline { get; init; }

    /// <summary>Snapshots applied per second over the last second (the room's snapshot rate when all is well).</summary>
    public double SnapshotsPerSecond { get; init; }

    /// <summary>Snapshot payload bytes received (after the 4-byte input acknowledgement).</summary>
    public long SnapshotBytes { get; init; }

    /// <summary>The newest server tick applied; 0 before the first snapshot of the room.</summary>
    public uint LatestSnapshotTick { get; init; }

    /// <summary>Inputs accepted by <see cref="EngineClient.SendPlayerInput(in Protocol.Simulation.PlayerInput)"/>.</summary>
    public long InputsSent { get; init; }

    /// <summary>Inputs refused: not connected, not playing in a room (spectators never send), or before the first snapshot.</summary>
    public long InputsRefused { get; init; }

    /// <summary>The newest input sequence sent and the newest the server said it applied.</summary>
    public uint LastInputSequence { get; init; }
    public uint LastAcknowledgedInput { get; init; }

    /// <summary>Inputs predicted locally that the server has not acknowledged: about RTT × tick rate.</summary>
    public int UnacknowledgedInputs { get; init; }

    /// <summary>Authoritative states that differed from the prediction for the same input.</summary>
    public long Mispredictions { get; init; }

    /// <summary>Reconciliations that moved the local player on screen; 0 for an honest client on a clean network.</summary>
    public long Corrections { get; init; }

    /// <summary>Sum, last and largest correction, in millimetres.</summary>
    public long CorrectionDistanceTotalMm { get; init; }
    public long LastCorrectionMm { get; init; }
    public long MaxCorrectionMm { get; init; }

    /// <summary>Inputs replayed on top of authoritative states after mispredictions.</summary>
    public long InputsReplayed { get; init; }

    /// <summary>How far in the past other players are drawn.</summary>
    public TimeSpan InterpolationDelay { get; init; }

    /// <summary>Samples of other players drawn past their newest snapshot (snapshots late or lost), and those held at the extrapolation cap.</summary>
    public long ExtrapolatedSamples { get; init; }
    public long CappedSamples { get; init; }
}
