using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// Encodes a frame as a delta against a baseline frame (or as a full state without one) into a
/// caller's buffer under a byte budget, in the caller's priority order. Two stages: a kernel
/// (<see cref="ComputeDiffs"/>, one file per SIMD width) computes for every slot the zigzagged
/// difference of every field and the change mask, structure-of-arrays; then a scalar pass emits
/// records. The kernels are bit-identical, so every path writes the same bytes. An instance owns
/// its scratch and is used by one thread; nothing allocates after construction.
/// </summary>
public sealed partial class DeltaEncoder
{
    private const int FieldCount = SnapshotSchema.FieldCount;

    /// <summary>Head, mask and every field at their longest: a record that surely fits.</summary>
    private const int MaxRecordSize = Varint.MaxLength32 * (2 + FieldCount);

    /// <summary>Room that lets a record be written without sizing it first: the longest record plus the 8-byte store of its last varint.</summary>
    private const int FastPathRoom = MaxRecordSize + sizeof(ulong);

    private readonly uint[] _zigzag;
    private readonly uint[] _masks;
    private readonly ulong[] _emitted;
    private readonly int _stride;

    public DeltaEncoder(int capacity)
    {
        var probe = new SnapshotFrame(capacity);
        Capacity = capacity;
        _stride = probe.Stride;
        _zigzag = new uint[FieldCount * _stride];
        _masks = new uint[_stride];
        _emitted = new ulong[_stride / 64];
    }

    public int Capacity { get; }

    /// <summary>The widest path the hardware accelerates: what <see cref="SimdPath.Auto"/> runs.</summary>
    public static SimdPath BestPath { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : Vector128.IsHardwareAccelerated ? SimdPath.Vector128
        : SimdPath.Scalar;

    /// <summary>
    /// Every slot, lowest first: a whole frame when the budget allows. The same bytes and result as
    /// the priority overload given every slot in order, but it visits only the slots with a record
    /// to write (found from the presence words and the kernel's masks, a word of 64 slots at a
    /// time), so a steady room where few entities changed costs little more than the kernel.
    /// </summary>
    public SnapshotEncodeResult Encode(SnapshotFrame current, SnapshotFrame? baseline, Span<byte> destination, int budget, SimdPath path = SimdPath.Auto)
    {
        CheckShape(current);
        var highWater = Math.Max(current.HighWater(), baseline?.HighWater() ?? 0);
        var distance = 0u;
        if (baseline is not null)
        {
            current.CheckSameShape(baseline);
            distance = current.Tick - baseline.Tick;
            if (distance == 0)
            {
                ThrowSameTick();
            }
            ComputeDiffs(current, baseline, (highWater + 63) & ~63, path);
        }
        var limit = Math.Min(Math.Max(budget, 0), destination.Length);
        var header = new SnapshotHeader(current.Tick, distance, Partial: false);
        if (header.Size > limit)
        {
            return new SnapshotEncodeResult(0, 0, Complete: highWater == 0);
        }
        var position = header.Write(destination);
        var skipped = 0;
        ref var output = ref MemoryMarshal.GetReference(destination);
        ref var values = ref MemoryMarshal.GetArrayDataReference(current.Values);
        var currentPresent = current.PresentWords;
        var baselinePresent = baseline?.PresentWords;
        for (var word = 0; word << 6 < highWater; word++)
        {
            var isPresent = currentPresent[word];
            var wasPresent = baselinePresent is null ? 0 : baselinePresent[word];
            var both = isPresent & wasPresent;
            var pending = (isPresent ^ wasPresent) | (both == 0 ? 0 : both & ChangedMasks(word));
            var slotsInWord = highWater - (word << 6);
            if (slotsInWord < 64)
            {
                pending &= (1UL << slotsInWord) - 1;
            }
            while (pending != 0)
            {
                var bit = BitOperations.TrailingZeroCount(pending);
                pending &= pending - 1;
                var slot = (word << 6) + bit;
                var mask = 1UL << bit;
                int written;
                if ((both & mask) != 0)
                {
                    written = WriteUpdate(ref output, position, limit, slot);
                }
                else if ((isPresent & mask) != 0)
                {
                    written = WriteSpawn(ref output, position, limit, ref values, slot);
                }
                else
                {
                    var head = ((uint)slot << (int)SnapshotRecordOp.Shift) | (uint)SnapshotRecordOp.Remove;
                    written = position + Varint.SizeOf(head) <= limit ? WriteVarint(ref output, position, head) : -1;
                }
                if (written < 0)
                {
                    skipped++;
                    continue;
                }
                position = written;
            }
        }
        if (skipped > 0)
        {
            destination[0] |= SnapshotHeader.PartialFlag;
        }
        return new SnapshotEncodeResult(position, highWater - skipped, skipped == 0);
    }

    /// <summary>One bit per slot of a 64-slot word: the kernel found a field that differs.</summary>
    private ulong ChangedMasks(int word)
    {
        var masks = _masks.AsSpan(word << 6, 64);
        ulong bits = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (var i = 0; i < 64; i += Vector256<uint>.Count)
            {
                var zero = Vector256.Equals(Vector256.Create<uint>(masks.Slice(i)), Vector256<uint>.Zero).ExtractMostSignificantBits();
                bits |= (ulong)(~zero & 0xFFu) << i;
            }
            return bits;
        }
        for (var i = 0; i < 64; i++)
        {
            bits |= masks[i] != 0 ? 1UL << i : 0;
        }
        return bits;
    }

    /// <summary>
    /// Encodes the slots of <paramref name="priority"/>, highest priority first, into at most
    /// <paramref name="budget"/> bytes of <paramref name="destination"/>. A slot whose record does
    /// not fit is skipped (smaller ones after it may still fit) and the payload is marked partial.
    /// The slots the client will be up to date on are written to <paramref name="included"/>
    /// (empty: not reported), in priority order. Slots repeated in the list count once.
    /// </summary>
    public SnapshotEncodeResult Encode(
        SnapshotFrame current,
        SnapshotFrame? baseline,
        ReadOnlySpan<ushort> priority,
        Span<ushort> included,
        Span<byte> destination,
        int budget,
        SimdPath path = SimdPath.Auto)
    {
        CheckShape(current);
        var distance = 0u;
        if (baseline is not null)
        {
            current.CheckSameShape(baseline);
            distance = current.Tick - baseline.Tick;
            if (distance == 0)
            {
                ThrowSameTick();
            }
            var highWater = Math.Max(current.HighWater(), baseline.HighWater());
            ComputeDiffs(current, baseline, (highWater + 63) & ~63, path);
        }
        if (!included.IsEmpty && included.Length < priority.Length)
        {
            ThrowIncluded();
        }

        var limit = Math.Min(Math.Max(budget, 0), destination.Length);
        var header = new SnapshotHeader(current.Tick, distance, Partial: false);
        if (header.Size > limit)
        {
            return new SnapshotEncodeResult(0, 0, Complete: priority.IsEmpty);
        }
        var position = header.Write(destination);
        var complete = true;
        var count = 0;
        Array.Clear(_emitted);

        ref var output = ref MemoryMarshal.GetReference(destination);
        ref var values = ref MemoryMarshal.GetArrayDataReference(current.Values);
        var currentPresent = current.PresentWords;
        var baselinePresent = baseline?.PresentWords;
        foreach (var slot in priority)
        {
            if (slot >= Capacity)
            {
                ThrowSlot(slot);
            }
            var word = slot >> 6;
            var bit = 1UL << slot;
            if ((_emitted[word] & bit) != 0)
            {
                continue;
            }
            _emitted[word] |= bit;

            var isPresent = (currentPresent[word] & bit) != 0;
            var wasPresent = baselinePresent is not null && (baselinePresent[word] & bit) != 0;
            int written;
            if (isPresent && wasPresent)
            {
                written = WriteUpdate(ref output, position, limit, slot);
            }
            else if (isPresent)
            {
                written = WriteSpawn(ref output, position, limit, ref values, slot);
            }
            else if (wasPresent)
            {
                var head = ((uint)slot << (int)SnapshotRecordOp.Shift) | (uint)SnapshotRecordOp.Remove;
                written = position + Varint.SizeOf(head) <= limit ? WriteVarint(ref output, position, head) : -1;
            }
            else
            {
                written = position;
            }

            if (written < 0)
            {
                complete = false;
                continue;
            }
            position = written;
            if (!included.IsEmpty)
            {
                included[count] = slot;
            }
            count++;
        }

        if (!complete)
        {
            destination[0] |= SnapshotHeader.PartialFlag;
        }
        return new SnapshotEncodeResult(position, count, complete);
    }

    /// <summary>
    /// Stage one: <c>_zigzag[f * stride + slot]</c> = zigzag(current - baseline) and
    /// <c>_masks[slot]</c> bit f = the field differs, for slots [0, count), count a multiple of 64.
    /// </summary>
    internal void ComputeDiffs(SnapshotFrame current, SnapshotFrame baseline, int count, SimdPath path)
    {
        if (path == SimdPath.Auto)
        {
            path = BestPath;
        }
        switch (path)
        {
            case SimdPath.Vector512:
                DiffVector512(current.Values, baseline.Values, _zigzag, _masks, _stride, count);
                break;
            case SimdPath.Vector256:
                DiffVector256(current.Values, baseline.Values, _zigzag, _masks, _stride, count);
                break;
            case SimdPath.Vector128:
                DiffVector128(current.Values, baseline.Values, _zigzag, _masks, _stride, count);
                break;
            default:
                DiffScalar(current.Values, baseline.Values, _zigzag, _masks, _stride, count);
                break;
        }
    }

    /// <summary>Returns the new position, or -1 when the record does not fit before <paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int WriteUpdate(ref byte output, int position, int limit, int slot)
    {
        var mask = _masks[slot];
        if (mask == 0)
        {
            return position;
        }
        var head = ((uint)slot << (int)SnapshotRecordOp.Shift) | (uint)SnapshotRecordOp.Update;
        ref var zigzag = ref MemoryMarshal.GetArrayDataReference(_zigzag);
        if (limit - position < FastPathRoom)
        {
            return position + UpdateSize(ref zigzag, head, mask, slot) > limit ? -1 : WriteUpdateRecord(ref output, position, ref zigzag, head, mask, slot);
        }
        position = WriteVarintFast(ref output, position, head);
        position = WriteVarintFast(ref output, position, mask);
        do
        {
            var field = BitOperations.TrailingZeroCount(mask);
            position = WriteVarintFast(ref output, position, Unsafe.Add(ref zigzag, field * _stride + slot));
            mask &= mask - 1;
        }
        while (mask != 0);
        return position;
    }

    /// <summary>Near the end of the budget: exact-length stores only, so nothing is written past what the record needs.</summary>
    private int WriteUpdateRecord(ref byte output, int position, ref uint zigzag, uint head, uint mask, int slot)
    {
        position = WriteVarint(ref output, position, head);
        position = WriteVarint(ref output, position, mask);
        for (; mask != 0; mask &= mask - 1)
        {
            position = WriteVarint(ref output, position, Unsafe.Add(ref zigzag, BitOperations.TrailingZeroCount(mask) * _stride + slot));
        }
        return position;
    }

    private int UpdateSize(ref uint zigzag, uint head, uint mask, int slot)
    {
        var size = Varint.SizeOf(head) + Varint.SizeOf(mask);
        for (; mask != 0; mask &= mask - 1)
        {
            size += Varint.SizeOf(Unsafe.Add(ref zigzag, BitOperations.TrailingZeroCount(mask) * _stride + slot));
        }
        return size;
    }

    /// <summary>A spawn carries absolute values (a delta against zero), so the kernel's output is not used.</summary>
    private int WriteSpawn(ref byte output, int position, int limit, ref int values, int slot)
    {
        var head = ((uint)slot << (int)SnapshotRecordOp.Shift) | (uint)SnapshotRecordOp.Spawn;
        var mask = 0u;
        var size = Varint.SizeOf(head);
        for (var f = 0; f < FieldCount; f++)
        {
            var value = Unsafe.Add(ref values, f * _stride + slot);
            if (value != 0)
            {
                mask |= 1u << f;
                size += Varint.SizeOf(Varint.ZigZag(value));
            }
        }
        size += Varint.SizeOf(mask);
        if (position + size > limit)
        {
            return -1;
        }
        position = WriteVarint(ref output, position, head);
        position = WriteVarint(ref output, position, mask);
        for (; mask != 0; mask &= mask - 1)
        {
            var field = BitOperations.TrailingZeroCount(mask);
            position = WriteVarint(ref output, position, Varint.ZigZag(Unsafe.Add(ref values, field * _stride + slot)));
        }
        return position;
    }

    /// <summary>
    /// Branch-free LEB128 for the fast path: spreads the value into 7-bit groups, sets the
    /// continuation bits below the last byte and writes all eight bytes in one store (one to five
    /// of them count). Deltas are a mix of one- and two-byte varints, which a length loop would
    /// mispredict. The caller guarantees eight writable bytes within the budget; the extra bytes
    /// are overwritten by what follows or lie past the payload's end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteVarintFast(ref byte output, int position, uint value)
    {
        ulong v = value;
        var spread = (v & 0x7F) | ((v & 0x3F80) << 1) | ((v & 0x1F_C000) << 2) | ((v & 0xFE0_0000) << 3) | ((v & 0xF000_0000) << 4);
        var bits = 32 - BitOperations.LeadingZeroCount(value | 1);
        var length = (bits * 9 + 64) >> 6;
        spread |= 0x80_8080_8080UL & ((1UL << ((length - 1) << 3)) - 1);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, position), BitConverter.IsLittleEndian ? spread : BinaryPrimitives.ReverseEndianness(spread));
        return position + length;
    }

    /// <summary>Unchecked LEB128 of exactly its length: callers have proved the bytes fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteVarint(ref byte output, int position, uint value)
    {
        while (value >= 0x80)
        {
            Unsafe.Add(ref output, position++) = (byte)(value | 0x80);
            value >>= 7;
        }
        Unsafe.Add(ref output, position++) = (byte)value;
        return position;
    }

    private void CheckShape(SnapshotFrame current)
    {
        if (current.Capacity != Capacity)
        {
            SnapshotFrame.ThrowShape();
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSameTick() => throw new ArgumentException("The baseline must be an earlier tick than the current frame.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowIncluded() => throw new ArgumentException("The included span must hold as many slots as the priority list.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSlot(int slot) => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Slot outside the frames' capacity.");
}
