using System.Buffers.Binary;

namespace Engine.Protocol.Wire;

/// <summary>
/// A writer over a destination span. Writes past the end are refused and mark the writer
/// overflowed rather than throwing, so callers build a message and check once.
/// </summary>
public ref struct SpanWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private bool _overflowed;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
    }

    public readonly int Length => _position;
    public readonly bool Overflowed => _overflowed;
    public readonly ReadOnlySpan<byte> Written => _buffer.Slice(0, _position);

    public void WriteByte(byte value)
    {
        if (TryTake(1, out var span))
        {
            span[0] = value;
        }
    }

    public void WriteUInt16(ushort value)
    {
        if (TryTake(2, out var span))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, value);
        }
    }

    public void WriteUInt32(uint value)
    {
        if (TryTake(4, out var span))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        }
    }

    public void WriteUInt64(ulong value)
    {
        if (TryTake(8, out var span))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        }
    }

    public void WriteVarint(uint value)
    {
        if (TryTake(Varint.SizeOf(value), out var span))
        {
            Varint.Write(span, value);
        }
    }

    /// <summary>A varint length then the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        WriteFixed(value);
    }

    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        if (TryTake(value.Length, out var span))
        {
            value.CopyTo(span);
        }
    }

    private bool TryTake(int count, out Span<byte> span)
    {
        if (_overflowed || count > _buffer.Length - _position)
        {
            _overflowed = true;
            span = default;
            return false;
        }
        span = _buffer.Slice(_position, count);
        _position += count;
        return true;
    }
}
