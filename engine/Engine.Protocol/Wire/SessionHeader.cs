using System.Buffers.Binary;

namespace Engine.Protocol.Wire;

/// <summary>
/// The 17-byte header of every session packet (see docs/PROTOCOL.md). <see cref="HasAck"/> is the
/// flag bit 0x20 of the first byte: clear until the sender has received a packet to acknowledge.
/// </summary>
public readonly record struct SessionHeader(ulong ConnectionId, ushort Sequence, ushort Ack, uint AckBits, bool HasAck)
{
    public const byte AckFlag = 0x20;

    /// <summary>The shard that owns a connection id: its first byte on the wire.</summary>
    public static byte ShardOf(ulong connectionId) => (byte)connectionId;

    public static DropReason TryRead(ReadOnlySpan<byte> datagram, out SessionHeader header)
    {
        if (datagram.Length < ProtocolConstants.SessionHeaderSize)
        {
            header = default;
            return DropReason.TooShort;
        }
        var first = datagram[0];
        if ((first & ProtocolConstants.TypeMask) != (byte)PacketType.Session)
        {
            header = default;
            return DropReason.UnknownType;
        }
        if ((first & ProtocolConstants.FlagsMask & ~AckFlag) != 0)
        {
            header = default;
            return DropReason.BadFlags;
        }
        header = new SessionHeader(
            BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(1)),
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(9)),
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(11)),
            BinaryPrimitives.ReadUInt32LittleEndian(datagram.Slice(13)),
            (first & AckFlag) != 0);
        return DropReason.None;
    }

    /// <summary>Writes the header; the destination must hold at least <see cref="ProtocolConstants.SessionHeaderSize"/> bytes.</summary>
    public int Write(Span<byte> destination)
    {
        _ = destination[ProtocolConstants.SessionHeaderSize - 1];
        destination[0] = (byte)((byte)PacketType.Session | (HasAck ? AckFlag : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(1), ConnectionId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(9), Sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(11), Ack);
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(13), AckBits);
        return ProtocolConstants.SessionHeaderSize;
    }
}
