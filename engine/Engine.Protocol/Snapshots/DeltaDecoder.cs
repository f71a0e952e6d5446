using System.Numerics;
using System.Runtime.CompilerServices;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// Rebuilds a frame from a snapshot payload and the baseline it names. Every read is bounds-checked
/// and every rule of the format is enforced, so garbage is dropped with a reason and never throws;
/// nothing allocates. Entities the payload does not mention keep their baseline state.
/// </summary>
public static class DeltaDecoder
{
    private const int FieldCount = SnapshotSchema.FieldCount;
    private const uint FieldMask = FieldCount == 32 ? uint.MaxValue : (1u << FieldCount) - 1;

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/>.
    /// <see cref="DropReason.MalformedSnapshot"/>: the bytes break the format.
    /// <see cref="DropReason.Stale"/>: the payload is a delta against a tick other than
    /// <paramref name="baseline"/>'s (or none was given); read <see cref="SnapshotHeader"/> first
    /// to find it. On any failure the destination's contents are unspecified. Frames must share a
    /// capacity (a programming error otherwise, which throws); the baseline may be the destination.
    /// </summary>
    public static DropReason Decode(SnapshotFrame? baseline, ReadOnlySpan<byte> source, SnapshotFrame destination)
    {
        var reason = SnapshotHeader.TryRead(source, out var header, out var position);
        if (reason != DropReason.None)
        {
            return reason;
        }
        if (header.HasBaseline)
        {
            if (baseline is null || baseline.Tick != header.BaselineTick)
            {
                return DropReason.Stale;
            }
            destination.CheckSameShape(baseline);
            destination.CopyFrom(baseline);
        }
        else
        {
            destination.Clear();
        }
        destination.Tick = header.Tick;

        var present = destination.PresentWords;
        var touched = destination.TouchedWords;
        var values = destination.Values;
        var stride = destination.Stride;
        var capacity = (uint)destination.Capacity;
        Array.Clear(touched);

        while (position < source.Length)
        {
            if (!TryReadVarint(source, ref position, out var head))
            {
                return DropReason.MalformedSnapshot;
            }
            var slot = head >> (int)SnapshotRecordOp.Shift;
            var op = (SnapshotRecordOp)(head & (uint)SnapshotRecordOp.Mask);
            if (slot >= capacity)
            {
                return DropReason.MalformedSnapshot;
            }
            var word = (int)(slot >> 6);
            var bit = 1UL << (int)slot;
            if ((touched[word] & bit) != 0)
            {
                return DropReason.MalformedSnapshot;
            }
            touched[word] |= bit;
            var wasPresent = (present[word] & bit) != 0;

            switch (op)
            {
                case SnapshotRecordOp.Update:
                {
                    // The encoder never sends an empty update, nor one for an entity the baseline lacks.
                    if (!wasPresent || !TryReadVarint(source, ref position, out var mask) || mask == 0 || (mask & ~FieldMask) != 0)
                    {
                        return DropReason.MalformedSnapshot;
                    }
                    for (; mask != 0; mask &= mask - 1)
                    {
                        if (!TryReadVarint(source, ref position, out var zigzag))
                        {
                            return DropReason.MalformedSnapshot;
                        }
                        ref var value = ref values[BitOperations.TrailingZeroCount(mask) * stride + (int)slot];
                        value += Varint.UnZigZag(zigzag);
                    }
                    break;
                }
                case SnapshotRecordOp.Spawn:
                {
                    if (wasPresent || !TryReadVarint(source, ref position, out var mask) || (mask & ~FieldMask) != 0)
                    {
                        return DropReason.MalformedSnapshot;
                    }
                    present[word] |= bit;
                    for (var field = 0; field < FieldCount; field++)
                    {
                        var value = 0;
                        if ((mask & (1u << field)) != 0)
                        {
                            if (!TryReadVarint(source, ref position, out var zigzag))
                            {
                                return DropReason.MalformedSnapshot;
                            }
                            value = Varint.UnZigZag(zigzag);
                        }
                        values[field * stride + (int)slot] = value;
                    }
                    break;
                }
                case SnapshotRecordOp.Remove:
                    if (!wasPresent)
                    {
                        return DropReason.MalformedSnapshot;
                    }
                    present[word] &= ~bit;
                    destination.ZeroFields((int)slot);
                    break;
                default:
                    return DropReason.MalformedSnapshot;
            }
        }
        return DropReason.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadVarint(ReadOnlySpan<byte> source, ref int position, out uint value)
    {
        if ((uint)position < (uint)source.Length && source[position] < 0x80)
        {
            value = source[position++];
            return true;
        }
        if (Varint.TryRead(source.Slice(position), out value, out var length))
        {
            position += length;
            return true;
        }
        return false;
    }
}
