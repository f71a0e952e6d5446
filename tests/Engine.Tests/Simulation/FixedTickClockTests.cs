using Engine.Server.Simulation;
using Xunit;

namespace Engine.Tests.Simulation;

/// <summary>FixedTickClock: exact tick counts without drift, even snapshot spacing, bounded catch-up after stalls.</summary>
public class FixedTickClockTests
{
    [Fact]
    public void Runs_sixty_ticks_a_second_and_a_snapshot_every_third()
    {
        var clock = new FixedTickClock(startUs: 5_000_000);
        var ticks = new List<long>();
        var snapshots = new List<long>();
        for (var now = 5_000_000L; now <= 6_000_000; now += 1_000)
        {
            var count = clock.Advance(now, out var first);
            for (var tick = first; tick < first + count; tick++)
            {
                ticks.Add(tick);
                if (clock.IsSnapshotTick(tick))
                {
                    snapshots.Add(tick);
                }
            }
        }
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), ticks);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 3L), snapshots);
    }

    [Fact]
    public void Does_not_drift_over_an_hour_of_uneven_polling()
    {
        var clock = new FixedTickClock(0);
        var random = new Random(7);
        long total = 0;
        var now = 0L;
        while (now < 3_600_000_000)
        {
            now += random.Next(1, 16_000);
            total += clock.Advance(now, out _);
        }
        Assert.Equal(now * 60 / 1_000_000, total);
        Assert.Equal(total, clock.Tick);
        Assert.Equal(0, clock.SkippedTicks);
    }

    [Fact]
    public void Next_tick_due_is_when_advance_next_returns_a_tick()
    {
        var clock = new FixedTickClock(1_000);
        Assert.Equal(1_000 + 16_667, clock.NextTickDueUs);
        Assert.Equal(0, clock.Advance(clock.NextTickDueUs - 1, out _));
        Assert.Equal(1, clock.Advance(clock.NextTickDueUs, out var first));
        Assert.Equal(1, first);
        Assert.Equal(1_000 + 33_334, clock.NextTickDueUs);
    }

    [Fact]
    public void A_stall_runs_a_bounded_catch_up_and_lets_the_rest_go()
    {
        var clock = new FixedTickClock(0, maxCatchUpTicks: 8);
        Assert.Equal(1, clock.Advance(16_667, out _));
        Assert.Equal(8, clock.Advance(1_016_667, out var first));
        Assert.Equal(2, first);
        Assert.Equal(9, clock.Tick);
        Assert.Equal(52, clock.SkippedTicks);

        // Back to normal pace afterwards, tick numbers contiguous.
        Assert.Equal(0, clock.Advance(1_016_667, out _));
        Assert.Equal(1, clock.Advance(1_033_334, out first));
        Assert.Equal(10, first);
    }

    [Theory]
    [InlineData(60, 20)]
    [InlineData(60, 25)]
    [InlineData(60, 60)]
    [InlineData(128, 30)]
    public void Snapshot_ticks_come_at_the_snapshot_rate(int tickRate, int snapshotRate)
    {
        var clock = new FixedTickClock(0, tickRate, snapshotRate);
        var snapshots = Enumerable.Range(1, tickRate * 10).Count(tick => clock.IsSnapshotTick(tick));
        Assert.Equal(snapshotRate * 10, snapshots);
    }
}
