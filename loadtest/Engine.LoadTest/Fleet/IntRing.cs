using System.Runtime.InteropServices;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// A bounded single-producer single-consumer queue of ints (player indices) that never allocates: the
/// producer publishes its tail with a release write after storing the item, the consumer its head
/// after reading one. The two counters sit on separate cache lines so the threads do not share one.
/// </summary>
internal sealed class IntRing
{
    private readonly int[] _items;
    private readonly int _mask;
    private Counters _counters;

    public IntRing(int minimumCapacity)
    {
        var capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)minimumCapacity));
        _items = new int[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _items.Length;

    /// <summary>Producer only. False when full (callers size the ring so that it never is).</summary>
    public bool TryEnqueue(int item)
    {
        var tail = _counters.Tail;
        if (tail - Volatile.Read(ref _counters.Head) == _items.Length)
        {
            return false;
        }
        _items[tail & _mask] = item;
        Volatile.Write(ref _counters.Tail, tail + 1);
        return true;
    }

    /// <summary>Consumer only.</summary>
    public bool TryDequeue(out int item)
    {
        var head = _counters.Head;
        if (head == Volatile.Read(ref _counters.Tail))
        {
            item = 0;
            return false;
        }
        item = _items[head & _mask];
        Volatile.Write(ref _counters.Head, head + 1);
        return true;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Counters
    {
        [FieldOffset(64)]
        public long Head;

        [FieldOffset(128)]
        public long Tail;
    }
}
