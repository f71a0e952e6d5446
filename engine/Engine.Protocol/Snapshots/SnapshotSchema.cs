namespace Engine.Protocol.Snapshots;

/// <summary>The fixed field schema and limits of snapshot frames, and the quantization the fields use.</summary>
public static class SnapshotSchema
{
    /// <summary>K: int32 fields per entity, <see cref="SnapshotField"/>. At most 32, the width of a change mask.</summary>
    public const int FieldCount = 12;

    /// <summary>Slots are carried as ushort priority lists and in a varint with two op bits.</summary>
    public const int MaxCapacity = 1 << 16;

    /// <summary>Quantization steps per unit: 100 per metre, 100 per m/s, 65536 per turn.</summary>
    public const float PositionScale = 100f;
    public const float VelocityScale = 100f;
    public const float AngleScale = 65536f;

    public static int QuantizePosition(float metres) => (int)MathF.Round(metres * PositionScale);

    public static float DequantizePosition(int value) => value / PositionScale;

    public static int QuantizeVelocity(float metresPerSecond) => (int)MathF.Round(metresPerSecond * VelocityScale);

    public static float DequantizeVelocity(int value) => value / VelocityScale;

    /// <summary>Turns (1 = 360 degrees) to 1/65536 turn, wrapped into [0, 65536) for yaw-like angles.</summary>
    public static int QuantizeHeading(float turns) => (int)MathF.Round(turns * AngleScale) & 0xFFFF;

    /// <summary>Turns to 1/65536 turn without wrapping, for pitch.</summary>
    public static int QuantizeAngle(float turns) => (int)MathF.Round(turns * AngleScale);

    public static float DequantizeAngle(int value) => value / AngleScale;
}
