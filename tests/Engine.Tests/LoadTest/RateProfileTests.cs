using Engine.LoadTest;
using Engine.LoadTest.Reports;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>Rate profiles on the command line, targets without data, and what the report says limited a run.</summary>
public class RateProfileTests
{
    [Fact]
    public void The_default_run_is_the_seed_profile_and_the_other_scenarios_keep_the_competitive_rates()
    {
        var steady = LoadTestOptions.Parse([]);
        Assert.Equal(RateProfile.Seed, steady.Profile);
        Assert.Equal((60, 10, 10), (steady.TickRate, steady.InputRate, steady.SnapshotRate));
        Assert.Equal(10_000, steady.Players);
        Assert.Equal("seed", steady.ProfileLabel);

        var overload = LoadTestOptions.Parse(["overload"]);
        Assert.Equal((60, 30, 20), (overload.TickRate, overload.InputRate, overload.SnapshotRate));
        Assert.Equal("competitive", overload.ProfileLabel);
    }

    [Fact]
    public void A_profile_can_be_chosen_and_each_rate_still_set_on_its_own_which_the_label_says()
    {
        var o = LoadTestOptions.Parse(["steady", "--profile", "competitive", "--input-rate", "60"]);
        Assert.Equal((60, 60, 20), (o.TickRate, o.InputRate, o.SnapshotRate));
        Assert.Equal("competitive, modified (input 60 Hz)", o.ProfileLabel);
        Assert.Contains(o.Describe(), p => p.Name == "rate profile" && p.Value == o.ProfileLabel);
        var e = Assert.Throws<UsageException>(() => LoadTestOptions.Parse(["--profile", "casual"]));
        Assert.Contains("seed, competitive", e.Message, StringComparison.Ordinal);
        Assert.Contains("--profile", LoadTestOptions.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_target_without_data_is_not_measured_rather_than_a_number_it_never_had()
    {
        var missing = Target.On("server tick p99 on CPU", "< 2 ms", double.NaN, v => $"{v} µs", v => v < 2000);
        Assert.Equal("not measured", missing.Measured);
        Assert.False(missing.HasData);
        Assert.Equal("NOT MEASURED", missing.Verdict);
        var met = Target.On("server tick p99 on CPU", "< 2 ms", 1500, v => $"{v} µs", v => v < 2000);
        Assert.Equal(("1500 µs", true, "MET "), (met.Measured, met.Met, met.Verdict));
    }

    [Fact]
    public void The_limit_names_every_reason_that_applies_in_order_or_nothing()
    {
        Assert.Empty(RunLimit.Reasons(kernelDrops: 0, serverCpuPct: 50, swarmCpuPct: 60, serverThreads: 2, cores: 2, swarmLagP99Ms: 5));
        Assert.StartsWith("Limited by: nothing", RunLimit.Line([]), StringComparison.Ordinal);

        var all = RunLimit.Reasons(kernelDrops: 12, serverCpuPct: 175, swarmCpuPct: 20, serverThreads: 2, cores: 2, swarmLagP99Ms: 40);
        Assert.Collection(all,
            r => Assert.StartsWith("kernel drops: 12", r, StringComparison.Ordinal),
            r => Assert.StartsWith("the box's cores", r, StringComparison.Ordinal),
            r => Assert.StartsWith("server CPU", r, StringComparison.Ordinal),
            r => Assert.StartsWith("swarm schedule lag", r, StringComparison.Ordinal));

        // One shard saturates at one core's worth, whatever the box has.
        Assert.Single(RunLimit.Reasons(0, 90, 30, serverThreads: 1, cores: 2, swarmLagP99Ms: 1), r => r.StartsWith("server CPU", StringComparison.Ordinal));
    }
}
