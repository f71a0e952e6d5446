using Engine.Client.Conditions;
using Xunit;

namespace Engine.Tests.Client;

/// <summary>The SDK's network-condition simulation, one direction at a time, on a made-up clock.</summary>
public class SimulatedLaneTests
{
    private static List<(long AtUs, int Value)> Run(NetworkConditions conditions, int seed, int count)
    {
        var lane = new SimulatedLane(conditions, seed);
        var delivered = new List<(long, int)>();
        var buffer = new byte[1500];
        for (var now = 0L; now < 2_000_000; now += 1_000)
        {
            if (now / 1_000 < count)
            {
                lane.Send(BitConverter.GetBytes((int)(now / 1_000)), now);
            }
            while (lane.TryTakeDue(now, buffer, out var length))
            {
                Assert.Equal(4, length);
                delivered.Add((now, BitConverter.ToInt32(buffer)));
            }
        }
        Assert.Equal(0, lane.Traffic.InFlight);
        return delivered;
    }

    [Fact]
    public void Off_conditions_deliver_everything_at_once_and_in_order()
    {
        var delivered = Run(new NetworkConditions(), 1, 500);
        Assert.Equal(Enumerable.Range(0, 500), delivered.Select(d => d.Value));
        Assert.All(delivered, d => Assert.Equal(d.Value * 1_000L, d.AtUs));
    }

    [Fact]
    public void Latency_and_jitter_delay_every_datagram_within_their_bounds()
    {
        var conditions = new NetworkConditions { Latency = TimeSpan.FromMilliseconds(40), Jitter = TimeSpan.FromMilliseconds(10) };
        var delivered = Run(conditions, 3, 1000);
        Assert.Equal(1000, delivered.Count);
        Assert.All(delivered, d => Assert.InRange(d.AtUs - (d.Value * 1_000L), 40_000, 51_000));
        // Jitter alone reorders datagrams sent closer together than it.
        Assert.NotEqual(Enumerable.Range(0, 1000), delivered.Select(d => d.Value));
    }

    [Fact]
    public void Loss_duplication_and_reordering_happen_at_their_rates_and_the_same_seed_repeats_the_run()
    {
        var conditions = new NetworkConditions { Loss = 0.1, Duplication = 0.05, Reordering = 0.1, ReorderDelay = TimeSpan.FromMilliseconds(30) };
        var first = Run(conditions, 7, 1000);
        Assert.Equal(first, Run(conditions, 7, 1000));
        Assert.NotEqual(first, Run(conditions, 8, 1000));

        var lane = new SimulatedLane(conditions, 7);
        for (var i = 0; i < 10_000; i++)
        {
            lane.Send([1, 2, 3], i * 100L);
        }
        var traffic = lane.Traffic;
        Assert.InRange(traffic.Dropped, 800, 1200);
        Assert.InRange(traffic.Duplicated, 350, 600);
        Assert.InRange(traffic.Reordered, 800, 1200);
        Assert.Equal(traffic.Sent - traffic.Dropped + traffic.Duplicated, traffic.InFlight);
        // Reordered copies arrive 30 ms late, overtaken by those sent after them.
        var values = first.Select(d => d.Value).ToList();
        Assert.Contains(values.Zip(values.Skip(1)), pair => pair.First > pair.Second);
    }

    [Fact]
    public void Bad_conditions_are_refused_when_set()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkConditions { Loss = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkConditions { Duplication = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetworkConditions { Latency = TimeSpan.FromMilliseconds(-1) });
    }

    [Fact]
    public void A_steady_stream_allocates_nothing_once_the_queue_has_grown()
    {
        var lane = new SimulatedLane(NetworkConditions.Mobile, 5);
        var buffer = new byte[1500];
        var datagram = new byte[100];
        var now = 0L;
        void Stream(int count)
        {
            for (var i = 0; i < count; i++, now += 1_000)
            {
                lane.Send(datagram, now);
                while (lane.TryTakeDue(now, buffer, out _))
                {
                }
            }
        }
        Stream(2_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Stream(2_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
