namespace Engine.Protocol.Wire;

/// <summary>Unsigned LEB128 for lengths, zigzag for signed values.</summary>
public static class Varint
{
    public const int MaxLength32 = 5;

    public static int SizeOf(uint value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;

    public static int Write(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a u32 varint; false when truncated or longer than five bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        value = 0;
        for (var i = 0; i < MaxLength32 && i < source.Length; i++)
        {
            uint b = source[i];
            if (i == MaxLength32 - 1 && b > 0x0F)
            {
                break;
            }
            value |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                bytesRead = i + 1;
                return true;
            }
        }
        value = 0;
        bytesRead = 0;
        return false;
    }

    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);
}
