using System.Numerics;

namespace Engine.Server.Concurrency;

/// <summary>
/// A bounded, allocation-free multi-producer queue (Vyukov's array queue) for the rare cross-shard
/// work. The owning shard drains it once per loop; producers on other shards never block.
/// Producer and consumer positions sit on separate cache lines.
/// </summary>
internal sealed class BoundedQueue<T>
    where T : struct
{
    private readonly Cell[] _cells;
    private readonly int _mask;
    private QueuePositions _positions;

    public BoundedQueue(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _cells = new Cell[size];
        for (var i = 0; i < size; i++)
        {
            _cells[i].Sequence = i;
        }
        _mask = size - 1;
    }

    public bool TryEnqueue(in T item)
    {
        var position = Volatile.Read(ref _positions.Tail);
        while (true)
        {
            ref var cell = ref _cells[position & _mask];
            var sequence = Volatile.Read(ref cell.Sequence);
            var difference = sequence - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _positions.Tail, position + 1, position) == position)
                {
                    cell.Item = item;
                    Volatile.Write(ref cell.Sequence, position + 1);
                    return true;
                }
            }
            else if (difference < 0)
            {
                return false;
            }
            position = Volatile.Read(ref _positions.Tail);
        }
    }

    /// <summary>Single consumer: only the owning shard calls this.</summary>
    public bool TryDequeue(out T item)
    {
        var position = _positions.Head;
        ref var cell = ref _cells[position & _mask];
        if (Volatile.Read(ref cell.Sequence) != position + 1)
        {
            item = default;
            return false;
        }
        item = cell.Item;
        cell.Item = default;
        Volatile.Write(ref cell.Sequence, position + _mask + 1);
        _positions.Head = position + 1;
        return true;
    }

    private struct Cell
    {
        public long Sequence;
        public T Item;
    }
}
