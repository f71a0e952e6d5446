namespace Engine.Protocol.Snapshots;

/// <summary>
/// The per-entity fields of the movement arena's world state, each a quantized int32. The value
/// is the field's bit in a record's change mask, so the fields that change every snapshot for a
/// moving player (position, yaw, pitch, horizontal velocity) sit in the low seven bits and their
/// mask fits in one varint byte. To extend the schema, append a member and raise
/// <see cref="SnapshotSchema.FieldCount"/>; the field count travels in every snapshot, so a peer
/// built with another schema drops the snapshot instead of misreading it.
/// </summary>
public enum SnapshotField
{
    /// <summary>Position in the game mode's unit (the movement arena: millimetres; Y is up).</summary>
    PositionX = 0,
    PositionY = 1,
    PositionZ = 2,

    /// <summary>Heading, 1/65536 turn, in [0, 65536).</summary>
    Yaw = 3,

    /// <summary>Look angle, 1/65536 turn, in [-16384, 16384].</summary>
    Pitch = 4,

    /// <summary>Velocity in the game mode's unit per second (the movement arena: mm/s).</summary>
    VelocityX = 5,
    VelocityY = 6,
    VelocityZ = 7,

    /// <summary><see cref="SnapshotFlags"/> bits.</summary>
    Flags = 8,

    /// <summary>Who occupies the slot (the player or entity network id), so a reused slot reads as a change of owner.</summary>
    Owner = 9,

    /// <summary>Yaw change per tick of the last step, 1/65536 turn (signed): remote ends keep a turning player turning.</summary>
    YawRate = 10,

    /// <summary>The stick the player last walked with: forward in bits 0-7, right in bits 8-15, each a signed byte.</summary>
    Stick = 11,
}
