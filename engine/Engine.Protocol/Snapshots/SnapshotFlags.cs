namespace Engine.Protocol.Snapshots;

/// <summary>Bits of <see cref="SnapshotField.Flags"/>.</summary>
[Flags]
public enum SnapshotFlags
{
    None = 0,
    Grounded = 1,

    /// <summary>Not set by the movement arena (in the air is <see cref="Grounded"/> clear); a game mode's own bit.</summary>
    Jumping = 2,
}
