using Engine.Client.Netcode;
using Engine.Protocol.Simulation;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>Interpolator: linear sampling between snapshots, short-way yaw, capped extrapolation, ordering of late snapshots, the delayed render clock.</summary>
public class InterpolatorTests
{
    // At 60 Hz, tick 60 is at 1 s and tick 63 at 1.05 s.
    private const long Tick60Us = 1_000_000;
    private const long Tick63Us = 1_050_000;

    [Fact]
    public void Samples_linearly_between_the_surrounding_snapshots()
    {
        var interpolator = new Interpolator(entities: 2);
        interpolator.Add(1, 60, At(0, 1_000, 0, yaw: 100));
        interpolator.Add(1, 63, At(3_000, 1_000, -600, yaw: 400));
        interpolator.Add(1, 66, At(6_000, 4_000, -600, yaw: 700));

        Assert.Equal(SampleKind.Interpolated, interpolator.Sample(1, Tick60Us + 10_000, out var state));
        Assert.Equal((600, 1_000, -120, (ushort)160), (state.PositionX, state.PositionY, state.PositionZ, state.Yaw));

        Assert.Equal(SampleKind.Interpolated, interpolator.Sample(1, Tick63Us + 25_000, out state));
        Assert.Equal((4_500, 2_500, -600), (state.PositionX, state.PositionY, state.PositionZ));

        Assert.Equal(SampleKind.Interpolated, interpolator.Sample(1, Tick63Us, out state));
        Assert.Equal(3_000, state.PositionX);
        Assert.Equal(SampleKind.None, interpolator.Sample(0, Tick63Us, out _));
    }

    [Fact]
    public void Yaw_turns_the_short_way_across_zero()
    {
        var interpolator = new Interpolator(1);
        interpolator.Add(0, 60, At(0, 0, 0, yaw: 65_000));
        interpolator.Add(0, 63, At(0, 0, 0, yaw: 500));
        interpolator.Sample(0, Tick60Us + 25_000, out var state);
        Assert.Equal((ushort)((65_000 + 518) & 0xFFFF), state.Yaw);
    }

    [Fact]
    public void Extrapolates_along_the_velocity_for_at_most_the_cap_then_holds()
    {
        var interpolator = new Interpolator(1, maxExtrapolationMs: 250);
        interpolator.Add(0, 57, At(0, 0, 0));
        interpolator.Add(0, 60, At(1_000, 0, 0) with { VelocityX = 4_000, VelocityZ = -2_000 });

        Assert.Equal(SampleKind.Extrapolated, interpolator.Sample(0, Tick60Us + 100_000, out var state));
        Assert.Equal((1_400, -200), (state.PositionX, state.PositionZ));

        Assert.Equal(SampleKind.Extrapolated, interpolator.Sample(0, Tick60Us + 250_000, out state));
        Assert.Equal(2_000, state.PositionX);

        Assert.Equal(SampleKind.Capped, interpolator.Sample(0, Tick60Us + 5_000_000, out state));
        Assert.Equal((2_000, -500), (state.PositionX, state.PositionZ));
        Assert.Equal(1, interpolator.Stats.CappedSamples);
        Assert.Equal(2, interpolator.Stats.ExtrapolatedSamples);
    }

    [Fact]
    public void Before_the_oldest_snapshot_the_oldest_is_shown()
    {
        var interpolator = new Interpolator(1);
        interpolator.Add(0, 60, At(7, 8, 9));
        interpolator.Add(0, 63, At(70, 80, 90));
        Assert.Equal(SampleKind.Oldest, interpolator.Sample(0, 0, out var state));
        Assert.Equal(7, state.PositionX);
    }

    [Fact]
    public void Late_snapshots_are_slotted_in_order_and_duplicates_ignored()
    {
        var interpolator = new Interpolator(1, bufferCapacity: 4);
        interpolator.Add(0, 66, At(6_000, 0, 0));
        interpolator.Add(0, 60, At(0, 0, 0));
        interpolator.Add(0, 63, At(3_000, 0, 0));
        interpolator.Add(0, 63, At(-1, 0, 0));
        Assert.Equal(2, interpolator.Stats.LateSnapshots);
        Assert.Equal(1, interpolator.Stats.DuplicateSnapshots);
        interpolator.Sample(0, Tick60Us + 25_000, out var state);
        Assert.Equal(1_500, state.PositionX);

        // Full: the oldest goes, and one older than everything kept is of no use.
        interpolator.Add(0, 69, At(9_000, 0, 0));
        interpolator.Add(0, 72, At(12_000, 0, 0));
        interpolator.Add(0, 54, At(-6_000, 0, 0));
        Assert.Equal(4, interpolator.Count(0));
        Assert.Equal(SampleKind.Oldest, interpolator.Sample(0, Tick60Us, out state));
        Assert.Equal(3_000, state.PositionX);
    }

    [Fact]
    public void Render_time_is_the_newest_snapshot_time_minus_the_delay_advanced_by_local_time()
    {
        var interpolator = new Interpolator(1, delayMs: 100);
        Assert.Equal(0, interpolator.RenderTimeUs(123));
        interpolator.OnSnapshot(60, localNowUs: 5_000_000);
        Assert.Equal(Tick60Us - 100_000, interpolator.RenderTimeUs(5_000_000));
        Assert.Equal(Tick60Us - 100_000 + 16_000, interpolator.RenderTimeUs(5_016_000));

        // Tick 63 arriving 40 ms after tick 60 instead of 50: render time moves up by 10 ms.
        interpolator.OnSnapshot(63, localNowUs: 5_040_000);
        Assert.Equal(Tick63Us - 100_000 + 10_000, interpolator.RenderTimeUs(5_050_000));

        // An old snapshot does not move the clock; a late newest one cannot move it backwards.
        interpolator.OnSnapshot(61, localNowUs: 5_060_000);
        interpolator.OnSnapshot(66, localNowUs: 5_200_000);
        Assert.Equal(Tick63Us - 100_000 + 10_000, interpolator.RenderTimeUs(5_050_000));
    }

    [Fact]
    public void Add_and_Sample_allocate_nothing()
    {
        var interpolator = new Interpolator(16);
        interpolator.Add(0, 1, default);
        interpolator.Sample(0, 0, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var tick = 2; tick < 1_000; tick++)
        {
            for (var entity = 0; entity < 16; entity++)
            {
                interpolator.Add(entity, tick, At(tick, entity, 0));
                interpolator.Sample(entity, interpolator.TickTimeUs(tick) - 30_000, out _);
            }
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static PlayerState At(int x, int y, int z, ushort yaw = 0) => new() { PositionX = x, PositionY = y, PositionZ = z, Yaw = yaw };
}
