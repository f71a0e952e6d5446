using System.Buffers.Binary;
using Engine.Protocol.Wire;

namespace Engine.Tests.Protocol.Channels;

/// <summary>Builds session packets with hand-made reliable units, for tests that play a broken or hostile peer.</summary>
internal static class ReliableUnits
{
    public static byte[] Packet(ushort sequence, params byte[][] messages)
    {
        var packet = new byte[ProtocolConstants.SessionHeaderSize + messages.Sum(m => m.Length)];
        new SessionHeader(0x4242, sequence, 0, 0, false).Write(packet);
        var offset = ProtocolConstants.SessionHeaderSize;
        foreach (var message in messages)
        {
            message.CopyTo(packet, offset);
            offset += message.Length;
        }
        return packet;
    }

    /// <summary>kind, varint length, then the payload as given (no checks: callers make bad ones on purpose).</summary>
    public static byte[] Message(MessageKind kind, ReadOnlySpan<byte> payload)
    {
        var message = new byte[1 + Varint.SizeOf((uint)payload.Length) + payload.Length];
        message[0] = (byte)kind;
        var offset = 1 + Varint.Write(message.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(message.AsSpan(offset));
        return message;
    }

    public static byte[] Reliable(ushort id, ReadOnlySpan<byte> data)
    {
        var payload = new byte[2 + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, id);
        data.CopyTo(payload.AsSpan(2));
        return Message(MessageKind.Reliable, payload);
    }

    public static byte[] Fragment(ushort id, ushort index, ushort count, ReadOnlySpan<byte> data)
    {
        var payload = new byte[6 + data.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, id);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), index);
        BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(4), count);
        data.CopyTo(payload.AsSpan(6));
        return Message(MessageKind.ReliableFragment, payload);
    }
}
