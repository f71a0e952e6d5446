using System.Diagnostics.CodeAnalysis;

namespace Engine.Tests.Netcode;

/// <summary>
/// A deterministic, sans-IO network for netcode tests: datagrams handed to <see cref="Send"/> are
/// dropped, duplicated, delayed with jitter and (through the jitter and an extra reorder delay)
/// reordered, all decided by a seeded random generator, and come out of <see cref="TryDeliver"/>
/// once a simulated clock passes their delivery time. The same seed gives the same run.
/// </summary>
internal sealed class LossyNetwork
{
    private readonly Random _random;
    private readonly PriorityQueue<Datagram, (long DeliverAtUs, long Order)> _inFlight = new();
    private long _order;

    public LossyNetwork(int seed, LossyNetworkOptions? options = null)
    {
        _random = new Random(seed);
        Options = options ?? new LossyNetworkOptions();
    }

    public LossyNetworkOptions Options { get; }

    public long Sent { get; private set; }
    public long Dropped { get; private set; }
    public long Duplicated { get; private set; }
    public long Reordered { get; private set; }
    public long Delivered { get; private set; }

    /// <summary>Datagrams still on the wire.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Sends from one endpoint to another; the bytes are copied.</summary>
    public void Send(int from, int to, ReadOnlySpan<byte> datagram, long nowUs)
    {
        Sent++;
        if (_random.NextDouble() < Options.LossRate)
        {
            Dropped++;
            return;
        }
        var copies = 1;
        if (_random.NextDouble() < Options.DuplicateRate)
        {
            Duplicated++;
            copies = 2;
        }
        for (var i = 0; i < copies; i++)
        {
            var delay = Options.LatencyUs + (Options.JitterUs > 0 ? _random.NextInt64(Options.JitterUs + 1) : 0);
            if (_random.NextDouble() < Options.ReorderRate)
            {
                Reordered++;
                delay += Options.ReorderDelayUs;
            }
            var deliverAt = nowUs + delay;
            _inFlight.Enqueue(new Datagram(from, to, datagram.ToArray(), deliverAt), (deliverAt, _order++));
        }
    }

    /// <summary>Two-party shorthand: endpoint 0 sends to 1 and 1 to 0.</summary>
    public void Send(int from, ReadOnlySpan<byte> datagram, long nowUs) => Send(from, 1 - from, datagram, nowUs);

    /// <summary>The next datagram due by <paramref name="nowUs"/>, earliest first (ties in send order).</summary>
    public bool TryDeliver(long nowUs, [MaybeNullWhen(false)] out Datagram datagram)
    {
        if (_inFlight.TryPeek(out datagram, out var key) && key.DeliverAtUs <= nowUs)
        {
            _inFlight.Dequeue();
            Delivered++;
            return true;
        }
        datagram = null;
        return false;
    }

    /// <summary>Every datagram due by <paramref name="nowUs"/>, in delivery order.</summary>
    public List<Datagram> Deliverable(long nowUs)
    {
        var due = new List<Datagram>();
        while (TryDeliver(nowUs, out var datagram))
        {
            due.Add(datagram);
        }
        return due;
    }

    /// <summary>When the next datagram arrives, or null when nothing is in flight.</summary>
    public long? NextDeliveryUs => _inFlight.TryPeek(out _, out var key) ? key.DeliverAtUs : null;

    internal sealed record Datagram(int From, int To, byte[] Data, long DeliverAtUs);
}

/// <summary>How hostile a <see cref="LossyNetwork"/> is. Rates are probabilities per datagram.</summary>
internal sealed record LossyNetworkOptions
{
    public double LossRate { get; init; }
    public double DuplicateRate { get; init; }

    /// <summary>Chance a copy is held back by <see cref="ReorderDelayUs"/> more, so later datagrams overtake it.</summary>
    public double ReorderRate { get; init; }
    public long ReorderDelayUs { get; init; } = 30_000;
    public long LatencyUs { get; init; } = 20_000;

    /// <summary>Each copy gets an extra delay uniform in [0, JitterUs].</summary>
    public long JitterUs { get; init; }

    /// <summary>20% loss, 5% duplication, 10% reordering, 20 ms latency with 15 ms jitter.</summary>
    public static LossyNetworkOptions Hostile { get; } = new()
    {
        LossRate = 0.20,
        DuplicateRate = 0.05,
        ReorderRate = 0.10,
        LatencyUs = 20_000,
        JitterUs = 15_000,
    };
}
