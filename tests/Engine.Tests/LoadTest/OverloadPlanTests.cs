using Engine.LoadTest;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Overload;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The overload scenario without sockets: its phase plan from the options, the recovery time over
/// per-second figures, and the reading of the engine's overload series (absent, never a made-up 0).
/// </summary>
public sealed class OverloadPlanTests
{
    [Fact]
    public void The_defaults_hold_the_knee_ramp_to_twice_it_in_24_s_hold_60_s_and_come_back()
    {
        var options = LoadTestOptions.Parse(["overload"]);
        Assert.Equal(3000, options.Knee);
        Assert.Equal(6000, options.Players);
        Assert.Equal(3000, options.InitialPlayers);
        Assert.Equal(1e6 / 60 / 4, options.EffectiveTickBudgetUs);

        var phases = OverloadPlan.Phases(options);
        Assert.Equal(["knee", "ramp-up", "peak", "ramp-down", "recovered"], phases.Select(p => p.Name));
        Assert.Equal([20, 24, 60, 24, 20], phases.Select(p => p.Seconds));
        Assert.Equal([3000, 6000, 6000, 3000, 3000], phases.Select(p => p.Players));
        Assert.Equal([0, 125, 0, 125, 0], phases.Select(p => p.PlayersPerSecond));
        Assert.Equal(options.Scenario.Windows, phases.Select(p => p.Name));
    }

    [Fact]
    public void The_options_shape_the_plan_and_a_peak_below_the_knee_is_refused()
    {
        var options = LoadTestOptions.Parse(["overload", "--knee", "200", "--players", "500", "--join-rate", "40", "--leave-rate", "100", "--knee-hold", "7", "--duration", "10"]);
        var phases = OverloadPlan.Phases(options);
        Assert.Equal([7, 8, 10, 3, 7], phases.Select(p => p.Seconds)); // 300 players at 40/s: 7.5 s, the last one still inside
        Assert.Equal(500, phases[2].Players);
        Assert.Equal(1, OverloadPlan.RampSeconds(10, 1000));

        Assert.Throws<UsageException>(() => LoadTestOptions.Parse(["overload", "--knee", "200", "--players", "200"]));
        Assert.Equal(2000, LoadTestOptions.Parse(["steady", "--players", "2000", "--knee", "200"]).InitialPlayers);
        Assert.Equal(10, LoadTestOptions.Parse(["churn"]).LeaveRate); // the overload defaults stay its own
    }

    private static HealthSecond Healthy(int second) => new(second, 20, 80, 200);

    private static List<HealthSecond> Knee() =>
        [.. Enumerable.Range(1, 10).Select(s => new HealthSecond(s, s % 2 == 0 ? 19.9 : 20, 78 + (s % 5), 190 + (s % 3 * 10)))];

    [Fact]
    public void Recovery_starts_at_the_first_second_every_figure_is_back_for_good()
    {
        List<HealthSecond> after =
        [
            new(31, 12, 300, 900),
            new(32, 20, 150, 800),
            new(33, 21, 80, 300),   // tick p99 still over
            new(34, 20, 95, 200),   // ack p99 over its bound (80 × 1.1)
            new(35, 20.5, 60, 150), // better than the knee counts as back
            Healthy(36), Healthy(37), Healthy(38),
        ];
        var recovery = Recovery.Compute(Knee(), after, rampDownEndSecond: 30);
        Assert.Equal(35, recovery.SettledFromSecond);
        Assert.Equal(4, recovery.Seconds); // second 35 covers (34, 35]: 4 s after the ramp down ended at 30
        Assert.Equal([32, 35, 34], recovery.Figures.Select(f => f.SettledFromSecond));
        Assert.Equal(80, recovery.Figures[1].KneeMedian);
        Assert.Equal(88, recovery.Figures[1].Bound, 6);
        Assert.Equal(19.95 * 0.9, recovery.Figures[0].Bound, 6); // an even count: the mean of the middle two

        // Healthy at once: 0 s.
        Assert.Equal(0, Recovery.Compute(Knee(), [Healthy(31), Healthy(32)], 30).Seconds);
    }

    [Fact]
    public void A_figure_that_slips_again_or_goes_missing_at_the_end_is_not_recovered()
    {
        var slips = Recovery.Compute(Knee(), [Healthy(31), Healthy(32), new(33, 15, 80, 200)], 30);
        Assert.Null(slips.SettledFromSecond);
        Assert.Null(slips.Seconds);
        Assert.Null(slips.Figures[0].SettledFromSecond);

        // A second without an acknowledged input is not healthy.
        Assert.Null(Recovery.Compute(Knee(), [Healthy(31), new(32, 20, double.NaN, 200)], 30).Seconds);

        // No seconds after the ramp down: not recovered.
        Assert.Null(Recovery.Compute(Knee(), [], 30).Seconds);
    }

    [Fact]
    public void A_figure_the_knee_has_no_value_for_is_left_out_not_judged()
    {
        // An engine without the tick's CPU time in its stats line.
        var knee = Knee().Select(h => h with { TickCpuP99Us = double.NaN }).ToList();
        var recovery = Recovery.Compute(knee, [new(31, 20, 200, double.NaN), Healthy(32)], 30);
        Assert.False(recovery.Figures[2].Measured);
        Assert.Equal(32, recovery.SettledFromSecond);
        Assert.Equal(1, recovery.Seconds);
        Assert.Equal(2.5, Recovery.Median([4, 1, double.NaN, 2, 3]));
    }

    [Fact]
    public void The_overload_series_are_read_when_exported_and_unknown_when_not()
    {
        const string Exported = """
            engine_overload_level{shard="0"} 1
            engine_overload_level{shard="1"} 2
            engine_snapshots_sent_total{shard="0"} 100
            engine_snapshots_sent_total{shard="1"} 50
            engine_snapshots_deferred_total{shard="0"} 7
            engine_snapshot_encodes_total{kind="shared"} 60
            engine_snapshot_encodes_total{kind="player"} 600
            engine_snapshot_views_reset_total 3
            engine_packets_dropped_total{reason="overload_shed"} 40
            """;
        var before = AdminSample.Parse(Exported);
        Assert.Equal(2, before.OverloadLevel);
        Assert.Equal(150, before.SnapshotsSent);
        Assert.Equal(7, before.SnapshotsDeferred);
        Assert.Equal(3, before.ViewsReset);
        Assert.Equal(600, before.Encodes["player"]);

        var later = AdminSample.Parse(Exported.Replace("} 600", "} 1800", StringComparison.Ordinal).Replace("} 40", "} 100", StringComparison.Ordinal)
            .Replace("\"1\"} 2", "\"1\"} 0", StringComparison.Ordinal));
        var d = DegradationSecond.Between(new ServerSample { Second = 10, Admin = before }, new ServerSample { Second = 12, Admin = later }, tickRate: 60);
        Assert.Equal(1, d.Level);
        Assert.Equal(10, d.PlayerEncodesPerTick, 6); // 1200 in 2 s at 60 ticks/s
        Assert.Equal(0, d.SpectatorEncodesPerTick); // the engine exports encodes: a kind it does not list had none
        Assert.Equal(30, d.ShedPerSecond, 6);
        Assert.Equal(0, d.SentPerSecond);

        // An engine without the overload policy: every series unknown, none 0.
        var old = AdminSample.Parse("engine_sessions{shard=\"0\"} 3\nengine_packets_dropped_total{reason=\"oversized\"} 2\n");
        Assert.False(old.ExportsOverload);
        var none = DegradationSecond.Between(new ServerSample { Second = 1, Admin = old }, new ServerSample { Second = 2, Admin = old }, 60);
        Assert.All([none.Level, none.SentPerSecond, none.DeferredPerSecond, none.SharedEncodesPerTick, none.ViewsResetPerSecond, none.ShedPerSecond], v => Assert.True(double.IsNaN(v)));
        Assert.Equal(3, none.MeanSessions);
    }
}
