using Engine.Server.Overload;
using Xunit;

namespace Engine.Tests.Overload;

/// <summary>The shard's overload level: up at once when its tick or its loop is over budget, down one step at a time after a calm second.</summary>
public class OverloadMonitorTests
{
    private const long Budget = 4_000;

    [Fact]
    public void Costly_ticks_near_the_budget_raise_the_level_and_past_it_raise_it_again()
    {
        var monitor = new OverloadMonitor(Budget);
        var now = 0L;
        for (var i = 0; i < 60; i++)
        {
            monitor.ObserveTick(Budget / 2, now += 16_667);
        }
        Assert.Equal(OverloadLevel.Normal, monitor.Level);
        for (var i = 0; i < 60; i++)
        {
            monitor.ObserveTick(Budget * 9 / 10, now += 16_667);
        }
        Assert.Equal(OverloadLevel.OverBudget, monitor.Level);
        for (var i = 0; i < 60; i++)
        {
            monitor.ObserveTick(Budget * 3, now += 16_667);
        }
        Assert.Equal(OverloadLevel.FarOver, monitor.Level);
    }

    [Fact]
    public void The_level_falls_one_step_per_calm_period()
    {
        var monitor = new OverloadMonitor(Budget);
        var now = 0L;
        for (var i = 0; i < 60; i++)
        {
            monitor.ObserveTick(Budget * 3, now += 16_667);
        }
        Assert.Equal(OverloadLevel.FarOver, monitor.Level);

        // Calm from here: still far over until the calm period has passed, then one step, then the next.
        var calmFrom = now;
        while (now - calmFrom < OverloadMonitor.CalmUs / 2)
        {
            monitor.ObserveTick(0, now += 16_667);
        }
        Assert.Equal(OverloadLevel.FarOver, monitor.Level);
        while (monitor.Level == OverloadLevel.FarOver)
        {
            monitor.ObserveTick(0, now += 16_667);
        }
        Assert.Equal(OverloadLevel.OverBudget, monitor.Level);
        var steppedAt = now;
        while (monitor.Level == OverloadLevel.OverBudget)
        {
            monitor.ObserveTick(0, now += 16_667);
        }
        Assert.Equal(OverloadLevel.Normal, monitor.Level);
        Assert.InRange(now - steppedAt, OverloadMonitor.CalmUs, OverloadMonitor.CalmUs + 1_000_000);
    }

    [Fact]
    public void One_costly_tick_in_three_is_what_the_level_follows_not_the_mean()
    {
        // Snapshot ticks cost five times the others: the mean is under the budget, the costly ticks over it.
        var monitor = new OverloadMonitor(Budget);
        var now = 0L;
        for (var i = 0; i < 300; i++)
        {
            monitor.ObserveTick(i % 3 == 0 ? Budget * 3 / 2 : Budget * 3 / 10, now += 16_667);
        }
        Assert.Equal(OverloadLevel.FarOver, monitor.Level);
        Assert.InRange(monitor.RecentTickCpuUs, Budget * 5 / 4, Budget * 3 / 2);
    }

    [Fact]
    public void A_loop_that_never_waits_or_keeps_finding_the_socket_full_is_overloaded_whatever_the_tick_costs()
    {
        var busy = new OverloadMonitor(Budget);
        var queued = new OverloadMonitor(Budget);
        var idle = new OverloadMonitor(Budget);
        for (long now = 0; now <= 300_000; now += 1_000)
        {
            busy.ObserveLoop(receiveFull: false, waitedUs: 0, now);
            queued.ObserveLoop(receiveFull: true, waitedUs: 0, now);
            idle.ObserveLoop(receiveFull: false, waitedUs: 700, now);
        }
        Assert.Equal(OverloadLevel.OverBudget, busy.Level);
        Assert.Equal(OverloadLevel.OverBudget, queued.Level); // far over is the tick's to say
        Assert.Equal(OverloadLevel.Normal, idle.Level);
    }
}
