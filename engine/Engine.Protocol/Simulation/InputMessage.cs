using System.Buffers.Binary;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Simulation;

/// <summary>
/// The client's input message: the newest input and the few before it again, so one lost
/// datagram loses no input (the next one carries it). Carried sequences are consecutive, so only
/// the newest is written. Layout, little-endian:
/// <code>
/// count       u8    1..MaxInputs
/// newest seq  u32   at least count, so every carried sequence is at least 1
/// count × { forward i8, right i8, yaw u16, pitch i16, buttons u8 }   newest first
/// </code>
/// The length must be exact. Values are not range-checked here: the server's validator clamps
/// and counts them, so the codec stays a pure, canonical mapping (decode then encode gives the
/// same bytes).
/// On the wire (message kind <see cref="MessageKind.Input"/>) the inputs follow the tick of the
/// newest snapshot the client holds, which acknowledges it: <c>snapshot ack varint, inputs</c>. A
/// spectator, who sends no inputs, sends the acknowledgement alone; see <see cref="WriteFramed"/>.
/// </summary>
public static class InputMessage
{
    public const int MaxInputs = 8;
    public const int HeaderSize = 1 + 4;
    public const int InputSize = 1 + 1 + 2 + 2 + 1;
    public const int MaxSize = HeaderSize + MaxInputs * InputSize;

    /// <summary>The largest game message: the snapshot acknowledgement and a full input message.</summary>
    public const int MaxFramedSize = Varint.MaxLength32 + MaxSize;

    public static int SizeOf(int count) => HeaderSize + count * InputSize;

    /// <summary>
    /// Writes the game message: the acknowledged snapshot tick (0 = none yet), then the inputs, or
    /// nothing more when <paramref name="newestFirst"/> is empty (a bare acknowledgement). Returns
    /// the bytes written, or 0 when the inputs are not a run <see cref="Write"/> takes or the
    /// destination is too small.
    /// </summary>
    public static int WriteFramed(Span<byte> destination, uint snapshotAck, ReadOnlySpan<PlayerInput> newestFirst)
    {
        if (destination.Length < Varint.SizeOf(snapshotAck) + (newestFirst.IsEmpty ? 0 : SizeOf(newestFirst.Length)))
        {
            return 0;
        }
        var length = Varint.Write(destination, snapshotAck);
        if (newestFirst.IsEmpty)
        {
            return length;
        }
        var inputs = Write(destination.Slice(length), newestFirst);
        return inputs == 0 ? 0 : length + inputs;
    }

    /// <summary>
    /// Splits a game message into the acknowledged snapshot tick and the input message (empty for a
    /// bare acknowledgement), which <see cref="TryRead"/> then reads. Never throws.
    /// </summary>
    public static DropReason TryReadFramed(ReadOnlySpan<byte> source, out uint snapshotAck, out ReadOnlySpan<byte> inputs)
    {
        if (!Varint.TryRead(source, out snapshotAck, out var ackLength))
        {
            inputs = default;
            return DropReason.MalformedMessage;
        }
        inputs = source.Slice(ackLength);
        return DropReason.None;
    }

    /// <summary>
    /// Writes <paramref name="newestFirst"/> (1..<see cref="MaxInputs"/> inputs with consecutive
    /// descending sequences, all at least 1) and returns the bytes written, or 0 when the inputs do
    /// not form such a run or the destination is too small.
    /// </summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<PlayerInput> newestFirst)
    {
        var count = newestFirst.Length;
        if (count is 0 or > MaxInputs || destination.Length < SizeOf(count))
        {
            return 0;
        }
        var newest = newestFirst[0].Sequence;
        if (newest < (uint)count)
        {
            return 0;
        }
        for (var i = 1; i < count; i++)
        {
            if (newestFirst[i].Sequence != newest - (uint)i)
            {
                return 0;
            }
        }
        destination[0] = (byte)count;
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(1), newest);
        var offset = HeaderSize;
        foreach (ref readonly var input in newestFirst)
        {
            var slot = destination.Slice(offset, InputSize);
            slot[0] = (byte)input.Forward;
            slot[1] = (byte)input.Right;
            BinaryPrimitives.WriteUInt16LittleEndian(slot.Slice(2), input.Yaw);
            BinaryPrimitives.WriteInt16LittleEndian(slot.Slice(4), input.Pitch);
            slot[6] = (byte)input.Buttons;
            offset += InputSize;
        }
        return offset;
    }

    /// <summary>
    /// Reads a message into <paramref name="newestFirst"/> (give it <see cref="MaxInputs"/> room).
    /// Never throws; on any drop reason <paramref name="count"/> is 0 and nothing is to be used.
    /// </summary>
    public static DropReason TryRead(ReadOnlySpan<byte> source, Span<PlayerInput> newestFirst, out int count)
    {
        count = 0;
        if (source.Length < HeaderSize)
        {
            return DropReason.TooShort;
        }
        int carried = source[0];
        if (carried is 0 or > MaxInputs)
        {
            return DropReason.MalformedMessage;
        }
        var size = SizeOf(carried);
        if (source.Length < size)
        {
            return DropReason.Truncated;
        }
        if (source.Length > size)
        {
            return DropReason.MalformedMessage;
        }
        if (carried > newestFirst.Length)
        {
            return DropReason.Oversized;
        }
        var newest = BinaryPrimitives.ReadUInt32LittleEndian(source.Slice(1));
        if (newest < (uint)carried)
        {
            return DropReason.MalformedMessage;
        }
        var offset = HeaderSize;
        for (var i = 0; i < carried; i++)
        {
            var slot = source.Slice(offset, InputSize);
            newestFirst[i] = new PlayerInput
            {
                Sequence = newest - (uint)i,
                Forward = (sbyte)slot[0],
                Right = (sbyte)slot[1],
                Yaw = BinaryPrimitives.ReadUInt16LittleEndian(slot.Slice(2)),
                Pitch = BinaryPrimitives.ReadInt16LittleEndian(slot.Slice(4)),
                Buttons = (InputButtons)slot[6],
            };
            offset += InputSize;
        }
        count = carried;
        return DropReason.None;
    }
}
