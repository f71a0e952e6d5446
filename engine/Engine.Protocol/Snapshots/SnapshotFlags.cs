namespace Engine.Protocol.Snapshots;

/// <summary>Bits of <see cref="SnapshotField.Flags"/>.</summary>
[Flags]
public enum SnapshotFlags
{
    None = 0,
    Grounded = 1,
    Jumping = 2,
}
