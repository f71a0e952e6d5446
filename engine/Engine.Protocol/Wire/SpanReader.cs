using System.Buffers.Binary;

namespace Engine.Protocol.Wire;

/// <summary>
/// A bounds-checked reader over a message. Every read that runs past the end returns false and
/// marks the reader failed, so a parser can read a whole message and check once at the end.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private bool _failed;

    public SpanReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
    }

    public readonly bool Failed => _failed;
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>True when every read succeeded and nothing is left over.</summary>
    public readonly bool IsCompleteAndValid => !_failed && _position == _buffer.Length;

    public byte ReadByte() => TryTake(1, out var span) ? span[0] : (byte)0;

    public ushort ReadUInt16() => TryTake(2, out var span) ? BinaryPrimitives.ReadUInt16LittleEndian(span) : (ushort)0;

    public uint ReadUInt32() => TryTake(4, out var span) ? BinaryPrimitives.ReadUInt32LittleEndian(span) : 0;

    public ulong ReadUInt64() => TryTake(8, out var span) ? BinaryPrimitives.ReadUInt64LittleEndian(span) : 0;

    public uint ReadVarint()
    {
        if (_failed || !Varint.TryRead(_buffer.Slice(_position), out var value, out var length))
        {
            _failed = true;
            return 0;
        }
        _position += length;
        return value;
    }

    /// <summary>A varint length then that many bytes; fails when longer than <paramref name="maxLength"/>.</summary>
    public ReadOnlySpan<byte> ReadBytes(int maxLength)
    {
        var length = ReadVarint();
        if (length > (uint)maxLength)
        {
            _failed = true;
            return default;
        }
        return TryTake((int)length, out var span) ? span : default;
    }

    public ReadOnlySpan<byte> ReadFixed(int length) => TryTake(length, out var span) ? span : default;

    private bool TryTake(int count, out ReadOnlySpan<byte> span)
    {
        if (_failed || count > _buffer.Length - _position)
        {
            _failed = true;
            span = default;
            return false;
        }
        span = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }
}
