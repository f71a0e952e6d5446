using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// One tick of world state: up to <see cref="Capacity"/> entity slots, a presence bit per slot,
/// and <see cref="SnapshotSchema.FieldCount"/> quantized int32 fields per slot stored structure-of-arrays
/// (all PositionX values, then all PositionY values, ...), so the delta encoder compares many
/// entities per vector instruction. Every array is allocated here, once; nothing else allocates.
/// The values of an absent slot mean nothing: the codec never reads them.
/// </summary>
public sealed class SnapshotFrame
{
    // Slots are padded to a multiple of 64 so vector kernels of any width run without a tail and
    // the presence bitmap is whole words; padding slots are never present.
    private const int SlotAlignment = 64;

    private readonly int[] _values;
    private readonly ulong[] _present;
    private readonly ulong[] _touched;

    public SnapshotFrame(int capacity)
    {
        if (capacity <= 0 || capacity > SnapshotSchema.MaxCapacity)
        {
            ThrowCapacity(capacity);
        }
        Capacity = capacity;
        Stride = (capacity + SlotAlignment - 1) & ~(SlotAlignment - 1);
        _values = new int[SnapshotSchema.FieldCount * Stride];
        _present = new ulong[Stride / 64];
        _touched = new ulong[Stride / 64];
    }

    public int Capacity { get; }

    /// <summary>The simulation tick this frame is the state of.</summary>
    public uint Tick { get; set; }

    /// <summary>Distance between two fields' arrays in <see cref="Values"/>: capacity rounded up to 64.</summary>
    internal int Stride { get; }

    internal int[] Values => _values;

    internal ulong[] PresentWords => _present;

    /// <summary>Decoder scratch: the slots a payload has already named, so a repeated slot is caught.</summary>
    internal ulong[] TouchedWords => _touched;

    /// <summary>Number of present entities.</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var word in _present)
            {
                count += BitOperations.PopCount(word);
            }
            return count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsPresent(int slot) => (uint)slot < (uint)Capacity && (_present[slot >> 6] & (1UL << slot)) != 0;

    /// <summary>Marks the slot present with every field zero (a spawned entity).</summary>
    public void Add(int slot)
    {
        CheckSlot(slot);
        _present[slot >> 6] |= 1UL << slot;
        ZeroFields(slot);
    }

    /// <summary>Marks the slot absent and zeroes its fields.</summary>
    public void Remove(int slot)
    {
        CheckSlot(slot);
        _present[slot >> 6] &= ~(1UL << slot);
        ZeroFields(slot);
    }

    public int Get(int slot, SnapshotField field)
    {
        CheckSlot(slot);
        return _values[FieldOffset(field) + slot];
    }

    public void Set(int slot, SnapshotField field, int value)
    {
        CheckSlot(slot);
        _values[FieldOffset(field) + slot] = value;
    }

    /// <summary>All slots' values of one field, indexed by slot: the simulation writes through this.</summary>
    public Span<int> Field(SnapshotField field) => _values.AsSpan(FieldOffset(field), Capacity);

    public ReadOnlySpan<ulong> Presence => _present;

    public void Clear()
    {
        Array.Clear(_values);
        Array.Clear(_present);
        Tick = 0;
    }

    public void CopyFrom(SnapshotFrame source)
    {
        CheckSameShape(source);
        if (ReferenceEquals(source, this))
        {
            return;
        }
        source._values.AsSpan().CopyTo(_values);
        source._present.AsSpan().CopyTo(_present);
        Tick = source.Tick;
    }

    /// <summary>Same shape, tick, present slots and every value, absent slots' included: a copy of one is a copy of the other.</summary>
    public bool Identical(SnapshotFrame other) =>
        other.Capacity == Capacity && other.Tick == Tick
        && other._present.AsSpan().SequenceEqual(_present) && other._values.AsSpan().SequenceEqual(_values);

    /// <summary>Same tick, same present slots, same values in every present slot.</summary>
    public bool ContentEquals(SnapshotFrame other)
    {
        if (other.Capacity != Capacity || other.Tick != Tick || !other._present.AsSpan().SequenceEqual(_present))
        {
            return false;
        }
        for (var slot = 0; slot < Capacity; slot++)
        {
            if (!IsPresent(slot))
            {
                continue;
            }
            for (var f = 0; f < SnapshotSchema.FieldCount; f++)
            {
                if (_values[f * Stride + slot] != other._values[f * Stride + slot])
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>One past the highest present slot; 0 when empty.</summary>
    internal int HighWater()
    {
        for (var w = _present.Length - 1; w >= 0; w--)
        {
            if (_present[w] != 0)
            {
                return w * 64 + 64 - BitOperations.LeadingZeroCount(_present[w]);
            }
        }
        return 0;
    }

    internal void ZeroFields(int slot)
    {
        for (var f = 0; f < SnapshotSchema.FieldCount; f++)
        {
            _values[f * Stride + slot] = 0;
        }
    }

    internal void CheckSameShape(SnapshotFrame other)
    {
        if (other.Capacity != Capacity)
        {
            ThrowShape();
        }
    }

    private int FieldOffset(SnapshotField field)
    {
        if ((uint)field >= SnapshotSchema.FieldCount)
        {
            ThrowField(field);
        }
        return (int)field * Stride;
    }

    private void CheckSlot(int slot)
    {
        if ((uint)slot >= (uint)Capacity)
        {
            ThrowSlot(slot);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCapacity(int capacity) =>
        throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"Capacity must be in 1..{SnapshotSchema.MaxCapacity}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowSlot(int slot) => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Slot outside the frame's capacity.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowField(SnapshotField field) => throw new ArgumentOutOfRangeException(nameof(field), field, "Unknown snapshot field.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowShape() => throw new ArgumentException("Snapshot frames of different capacities.");
}
