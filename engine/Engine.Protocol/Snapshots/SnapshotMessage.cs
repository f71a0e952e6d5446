using System.Buffers.Binary;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// The snapshot message (message kind <see cref="MessageKind.Snapshot"/>): the sequence of the last
/// input the server applied for this player, so the client replays only the inputs after it, then
/// the encoded snapshot (<see cref="SnapshotHeader"/> and the delta). Layout, little-endian:
/// <code>
/// last applied input  u32   0 for spectators and before any input was applied
/// room epoch          u8    the epoch of the Joined that seated this session in the room sending it
/// snapshot            ...   header and delta, to the end of the message
/// </code>
/// Ticks go on across a room change, so the epoch is what tells a late snapshot of the room a
/// player left from the first one of the room it entered.
/// </summary>
public static class SnapshotMessage
{
    public const int PrefixSize = 4 + 1;

    /// <summary>The room for the snapshot in a message of at most <paramref name="maxMessageSize"/> bytes (after the message's kind and length).</summary>
    public static int SnapshotBudget(int maxMessageSize) =>
        Math.Min(maxMessageSize, ProtocolConstants.MaxDatagram) - PrefixSize - 1 - Varint.MaxLength32;

    /// <summary>Writes the prefix and returns where the snapshot goes (the rest of <paramref name="message"/>).</summary>
    public static Span<byte> WritePrefix(Span<byte> message, uint lastAppliedInput, byte roomEpoch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(message, lastAppliedInput);
        message[4] = roomEpoch;
        return message.Slice(PrefixSize);
    }

    /// <summary>The length of a message whose snapshot is <paramref name="snapshotLength"/> bytes.</summary>
    public static int Length(int snapshotLength) => PrefixSize + snapshotLength;

    /// <summary>Splits a message; never throws. The snapshot itself is checked by its decoder.</summary>
    public static DropReason TryRead(ReadOnlySpan<byte> message, out uint lastAppliedInput, out byte roomEpoch, out ReadOnlySpan<byte> snapshot)
    {
        if (message.Length < PrefixSize)
        {
            lastAppliedInput = 0;
            roomEpoch = 0;
            snapshot = default;
            return DropReason.TooShort;
        }
        lastAppliedInput = BinaryPrimitives.ReadUInt32LittleEndian(message);
        roomEpoch = message[4];
        snapshot = message.Slice(PrefixSize);
        return DropReason.None;
    }
}
