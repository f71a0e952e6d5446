using Engine.Protocol.Wire;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// The start of a snapshot payload (docs/PROTOCOL.md, "Snapshots"): a schema byte, the tick, and
/// the distance back to the baseline tick (0: no baseline, the payload is a full state). The
/// client reads it first to find the baseline frame the payload is a delta against.
/// </summary>
public readonly record struct SnapshotHeader(uint Tick, uint BaselineDistance, bool Partial)
{
    /// <summary>One schema byte and two u32 varints.</summary>
    public const int MaxSize = 1 + 2 * Varint.MaxLength32;

    internal const byte FieldCountMask = 0x3F;
    internal const byte ReservedFlag = 0x40;
    internal const byte PartialFlag = 0x80;

    public bool HasBaseline => BaselineDistance != 0;

    /// <summary>The tick of the frame this payload is a delta against (meaningless without a baseline).</summary>
    public uint BaselineTick => Tick - BaselineDistance;

    public int Size => 1 + Varint.SizeOf(Tick) + Varint.SizeOf(BaselineDistance);

    /// <summary>Never throws: a short, foreign-schema or over-long header is <see cref="DropReason.MalformedSnapshot"/>.</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> source, out SnapshotHeader header, out int bytesRead)
    {
        header = default;
        bytesRead = 0;
        if (source.IsEmpty)
        {
            return DropReason.MalformedSnapshot;
        }
        var schema = source[0];
        if ((schema & FieldCountMask) != SnapshotSchema.FieldCount || (schema & ReservedFlag) != 0)
        {
            return DropReason.MalformedSnapshot;
        }
        if (!Varint.TryRead(source.Slice(1), out var tick, out var tickLength)
            || !Varint.TryRead(source.Slice(1 + tickLength), out var distance, out var distanceLength))
        {
            return DropReason.MalformedSnapshot;
        }
        header = new SnapshotHeader(tick, distance, (schema & PartialFlag) != 0);
        bytesRead = 1 + tickLength + distanceLength;
        return DropReason.None;
    }

    /// <summary>Writes the header; the destination must hold <see cref="Size"/> bytes.</summary>
    public int Write(Span<byte> destination)
    {
        destination[0] = (byte)(SnapshotSchema.FieldCount | (Partial ? PartialFlag : 0));
        var length = 1 + Varint.Write(destination.Slice(1), Tick);
        return length + Varint.Write(destination.Slice(length), BaselineDistance);
    }
}
