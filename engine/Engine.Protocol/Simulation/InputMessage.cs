using System.Buffers.Binary;

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
/// </summary>
public static class InputMessage
{
    public const int MaxInputs = 8;
    public const int HeaderSize = 1 + 4;
    public const int InputSize = 1 + 1 + 2 + 2 + 1;
    public const int MaxSize = HeaderSize + MaxInputs * InputSize;

    public static int SizeOf(int count) => HeaderSize + count * InputSize;

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
