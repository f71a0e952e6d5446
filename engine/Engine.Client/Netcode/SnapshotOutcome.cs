namespace Engine.Client.Netcode;

/// <summary>What became of one snapshot message.</summary>
internal enum SnapshotOutcome : byte
{
    /// <summary>Decoded, stored as a baseline, fed to prediction and interpolation.</summary>
    Applied,

    /// <summary>Not newer than the newest frame held (reordered or duplicated): ignored.</summary>
    Stale,

    /// <summary>A delta against a frame this client no longer holds (or never decoded): dropped.</summary>
    MissingBaseline,

    /// <summary>Bytes that break the snapshot format: dropped.</summary>
    Malformed,

    /// <summary>Not this room's world (another room epoch, this player's slot holds someone else, or no room): dropped.</summary>
    Foreign,
}
