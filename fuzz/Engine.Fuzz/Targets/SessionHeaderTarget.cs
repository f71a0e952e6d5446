using Engine.Protocol;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// <see cref="SessionHeader.TryRead"/>: never throws, accepts exactly the datagrams the format allows,
/// and the header is canonical (writing it back gives the first 17 bytes unchanged).
/// </summary>
internal sealed class SessionHeaderTarget : FuzzTarget
{
    public override string Name => "session-header";

    public override void Run(ReadOnlySpan<byte> data)
    {
        var reason = SessionHeader.TryRead(data, out var header);
        var expected =
            data.Length < ProtocolConstants.SessionHeaderSize ? DropReason.TooShort
            : (data[0] & ProtocolConstants.TypeMask) != (byte)PacketType.Session ? DropReason.UnknownType
            : (data[0] & ProtocolConstants.FlagsMask & ~SessionHeader.AckFlag) != 0 ? DropReason.BadFlags
            : DropReason.None;
        Check.Equal(expected, reason, "drop reason");
        if (reason != DropReason.None)
        {
            Check.Equal(default, header, "header of a dropped datagram");
            return;
        }
        Span<byte> written = stackalloc byte[ProtocolConstants.SessionHeaderSize];
        Check.Equal(ProtocolConstants.SessionHeaderSize, header.Write(written), "header size");
        Check.Bytes(data.Slice(0, ProtocolConstants.SessionHeaderSize), written, "header written back");
        Check.Equal(data[ProtocolConstants.ConnectionIdOffset], SessionHeader.ShardOf(header.ConnectionId), "shard byte");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var packet = new byte[ProtocolConstants.SessionHeaderSize + 5];
        new SessionHeader(0x8F3A2C51D7E40B01, 5, 9, 0b101, HasAck: true).Write(packet);
        byte[] message = [(byte)MessageKind.Unreliable, 3, 1, 2, 3];
        message.CopyTo(packet, ProtocolConstants.SessionHeaderSize);
        yield return ("documented-example", packet);

        var first = new byte[ProtocolConstants.SessionHeaderSize];
        new SessionHeader(0x0102030405060708, 0, 0, 0, HasAck: false).Write(first);
        yield return ("first-packet-no-ack", first);
    }
}
