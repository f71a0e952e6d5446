using Engine.Protocol.Wire;

namespace Engine.Client.Conditions;

/// <summary>
/// One direction of a simulated network: datagrams go in with <see cref="Send"/>, are dropped,
/// duplicated and delayed as the <see cref="NetworkConditions"/> say, and come out of
/// <see cref="TryTakeDue"/> once their delivery time has passed, earliest first (ties in send order).
/// Buffers are reused, so a steady stream allocates nothing once the queue has grown to its size.
/// </summary>
internal sealed class SimulatedLane
{
    private readonly NetworkConditions _conditions;
    private readonly Random _random;
    private readonly Stack<byte[]> _free = new();
    private InFlight[] _heap = new InFlight[64];
    private int _count;
    private long _order;
    private long _sent, _dropped, _duplicated, _reordered, _delivered;

    public SimulatedLane(NetworkConditions conditions, int seed)
    {
        _conditions = conditions;
        _random = new Random(seed);
    }

    public SimulatedTraffic Traffic => new(_sent, _dropped, _duplicated, _reordered, _delivered, _count);

    public void Send(ReadOnlySpan<byte> datagram, long nowUs)
    {
        _sent++;
        if (_random.NextDouble() < _conditions.Loss)
        {
            _dropped++;
            return;
        }
        var copies = 1;
        if (_random.NextDouble() < _conditions.Duplication)
        {
            _duplicated++;
            copies = 2;
        }
        for (var i = 0; i < copies; i++)
        {
            var delayUs = Microseconds(_conditions.Latency) + (long)(_random.NextDouble() * Microseconds(_conditions.Jitter));
            if (_random.NextDouble() < _conditions.Reordering)
            {
                _reordered++;
                delayUs += Microseconds(_conditions.ReorderDelay);
            }
            var buffer = _free.Count > 0 ? _free.Pop() : new byte[ProtocolConstants.MaxDatagram + 1];
            var length = Math.Min(datagram.Length, buffer.Length);
            datagram.Slice(0, length).CopyTo(buffer);
            Push(new InFlight(nowUs + delayUs, _order++, buffer, length));
        }
    }

    /// <summary>Copies the next datagram due by <paramref name="nowUs"/> into <paramref name="destination"/>.</summary>
    public bool TryTakeDue(long nowUs, Span<byte> destination, out int length)
    {
        if (_count == 0 || _heap[0].DeliverAtUs > nowUs)
        {
            length = 0;
            return false;
        }
        var next = Pop();
        length = Math.Min(next.Length, destination.Length);
        next.Buffer.AsSpan(0, length).CopyTo(destination);
        _free.Push(next.Buffer);
        _delivered++;
        return true;
    }

    private static long Microseconds(TimeSpan span) => span.Ticks / (TimeSpan.TicksPerMillisecond / 1000);

    private void Push(InFlight item)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!item.Before(_heap[parent]))
            {
                break;
            }
            _heap[i] = _heap[parent];
            i = parent;
        }
        _heap[i] = item;
    }

    private InFlight Pop()
    {
        var top = _heap[0];
        var last = _heap[--_count];
        _heap[_count] = default;
        var i = 0;
        while (_count > 0)
        {
            var child = (2 * i) + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && _heap[child + 1].Before(_heap[child]))
            {
                child++;
            }
            if (!_heap[child].Before(last))
            {
                break;
            }
            _heap[i] = _heap[child];
            i = child;
        }
        if (_count > 0)
        {
            _heap[i] = last;
        }
        return top;
    }

    private readonly record struct InFlight(long DeliverAtUs, long Order, byte[] Buffer, int Length)
    {
        public bool Before(InFlight other) => DeliverAtUs < other.DeliverAtUs || (DeliverAtUs == other.DeliverAtUs && Order < other.Order);
    }
}
