using CsCheck;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>
/// Dead reckoning must be exactly the arena's own rule: a player who keeps its last stick and turn
/// rate and does not jump ends where <see cref="Movement.Step"/> puts it, bit for bit, so such a
/// player costs no snapshot bytes at all.
/// </summary>
public sealed class SnapshotPredictionTests
{
    private static readonly ArenaSettings Arena = ArenaSettings.Default;

    [Fact]
    public void Extrapolation_equals_stepping_with_the_last_stick_and_turn_rate()
    {
        Gen.Select(Gen.Int, Gen.Int[1, 40], Gen.Int[0, 3]).Sample((seed, ticks, tickRateChoice) =>
        {
            var tickRate = new[] { 20, 30, 60, 128 }[tickRateChoice];
            var settings = Arena with { TickRate = tickRate };
            var random = new Random(seed);
            var state = RandomReachableState(random, settings, out var last);

            var frame = new SnapshotFrame(4);
            ArenaSnapshot.Write(frame, 2, state, owner: 7);
            var predicted = new SnapshotFrame(4);
            SnapshotPrediction.Extrapolate(frame, (uint)ticks, tickRate, predicted);

            var stepped = state;
            var input = last with { Buttons = InputButtons.None };
            for (var i = 0; i < ticks; i++)
            {
                input.Yaw = (ushort)(input.Yaw + state.YawRate);
                Movement.Step(ref stepped, input, settings);
            }
            Assert.Equal(stepped, ArenaSnapshot.Read(predicted, 2));
            Assert.Equal(7, predicted.Get(2, SnapshotField.Owner));
        }, iter: 5_000);
    }

    [Fact]
    public void A_jump_is_predicted_to_its_landing()
    {
        var state = MovementArenaSpawn();
        Movement.Step(ref state, new PlayerInput { Forward = 127, Buttons = InputButtons.Jump }, Arena);
        Assert.False(state.IsGrounded);

        var frame = new SnapshotFrame(1);
        ArenaSnapshot.Write(frame, 0, state, owner: 1);
        var predicted = new SnapshotFrame(1);
        SnapshotPrediction.Extrapolate(frame, 120, Arena.TickRate, predicted);

        var landed = ArenaSnapshot.Read(predicted, 0);
        Assert.True(landed.IsGrounded);
        Assert.Equal(Arena.MinY, landed.PositionY);
        Assert.Equal(0, landed.VelocityY);
        Assert.Equal(state.PositionZ + 120 * (state.VelocityZ / Arena.TickRate), landed.PositionZ);
    }

    [Fact]
    public void Absent_slots_are_left_alone()
    {
        var frame = new SnapshotFrame(3);
        var state = MovementArenaSpawn() with { VelocityX = 6_000, YawRate = 100, Forward = 127 };
        ArenaSnapshot.Write(frame, 1, state, owner: 1);
        frame.Remove(1);
        var predicted = new SnapshotFrame(3);
        SnapshotPrediction.Extrapolate(frame, 30, Arena.TickRate, predicted);
        Assert.True(predicted.ContentEquals(frame));
    }

    private static PlayerState MovementArenaSpawn() => new() { Flags = PlayerFlags.Grounded };

    /// <summary>A state the arena can really produce: some random steps from a spot that is near a wall half of the time.</summary>
    private static PlayerState RandomReachableState(Random random, in ArenaSettings settings, out PlayerInput last)
    {
        var state = new PlayerState
        {
            PositionX = NearWallOrAnywhere(random, settings.MinX, settings.MaxX),
            PositionZ = NearWallOrAnywhere(random, settings.MinZ, settings.MaxZ),
            Flags = PlayerFlags.Grounded,
        };
        last = default;
        var steps = random.Next(1, 200);
        for (var i = 0; i < steps; i++)
        {
            last = new PlayerInput
            {
                Forward = (sbyte)random.Next(-128, 128),
                Right = (sbyte)random.Next(-128, 128),
                Yaw = (ushort)(random.Next(3) == 0 ? random.Next(65536) : last.Yaw + random.Next(-600, 600)),
                Pitch = (short)random.Next(-20_000, 20_000),
                Buttons = random.Next(20) == 0 ? InputButtons.Jump : InputButtons.None,
            };
            Movement.Step(ref state, last, settings);
        }
        return state;
    }

    private static int NearWallOrAnywhere(Random random, int min, int max) => random.Next(4) switch
    {
        0 => min + random.Next(0, 400),
        1 => max - random.Next(0, 400),
        _ => random.Next(min, max + 1),
    };
}
