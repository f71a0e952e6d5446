using CsCheck;
using Engine.Protocol.Simulation;
using Xunit;

namespace Engine.Tests.Simulation;

/// <summary>Movement.Step: integer trigonometry, walking, jumping, gravity, world bounds and bit-exact determinism.</summary>
public class MovementTests
{
    private static readonly ArenaSettings s_settings = ArenaSettings.Default;

    internal static readonly Gen<PlayerInput> AnyInput = Gen.Select(Gen.SByte, Gen.SByte, Gen.UShort, Gen.Short, Gen.Byte,
        (forward, right, yaw, pitch, buttons) => new PlayerInput { Forward = forward, Right = right, Yaw = yaw, Pitch = pitch, Buttons = (InputButtons)buttons });

    [Fact]
    public void Integer_sine_is_within_one_unit_of_the_real_one_everywhere()
    {
        for (var angle = 0; angle < 65536; angle++)
        {
            var radians = angle * Math.PI * 2 / 65536;
            Assert.InRange(FixedMath.Sin((ushort)angle) - Math.Sin(radians) * FixedMath.One, -1.0, 1.0);
            Assert.InRange(FixedMath.Cos((ushort)angle) - Math.Cos(radians) * FixedMath.One, -1.0, 1.0);
        }
        Assert.Equal(0, FixedMath.Sin(0));
        Assert.Equal(FixedMath.One, FixedMath.Sin(16384));
        Assert.Equal(-FixedMath.One, FixedMath.Sin(49152));
        Assert.Equal(FixedMath.One, FixedMath.Cos(0));
    }

    [Fact]
    public void Integer_sine_table_is_pinned()
    {
        // The table is built by integer arithmetic, so this sum is the same on every platform; a
        // change here changes movement, and old clients would be corrected by new servers.
        long hash = 17;
        for (var angle = 0; angle < 65536; angle++)
        {
            hash = hash * 31 + FixedMath.Sin((ushort)angle);
        }
        Assert.Equal(SineTableHash, hash);
    }

    [Fact]
    public void Integer_square_root_is_the_floor_of_the_real_one()
    {
        Gen.ULong.Sample(value =>
        {
            ulong root = FixedMath.Sqrt(value);
            Assert.True((UInt128)root * root <= value);
            Assert.True((UInt128)(root + 1) * (root + 1) > value);
        }, iter: 20_000);
        Assert.Equal(0u, FixedMath.Sqrt(0));
        Assert.Equal(uint.MaxValue, FixedMath.Sqrt(ulong.MaxValue));
    }

    [Theory]
    [InlineData(0, 127, 0, 0, 100)]             // forward, facing +Z
    [InlineData(16384, 127, 0, 100, 0)]         // forward, facing +X
    [InlineData(0, 0, 127, 100, 0)]             // strafe right at yaw 0 goes +X
    [InlineData(32768, 127, 0, 0, -100)]        // facing -Z
    [InlineData(0, -128, 0, 0, -100)]           // -128 is read as -127
    public void Walking_moves_move_speed_per_second_along_the_yaw(int yaw, int forward, int right, int dx, int dz)
    {
        var state = Spawned();
        var start = state;
        var input = new PlayerInput { Forward = (sbyte)forward, Right = (sbyte)right, Yaw = (ushort)yaw };
        Movement.Step(ref state, input, s_settings);
        Assert.Equal(start.PositionX + dx, state.PositionX);
        Assert.Equal(start.PositionZ + dz, state.PositionZ);
        Assert.Equal(start.PositionY, state.PositionY);
        Assert.True(state.IsGrounded);
        Assert.Equal((ushort)yaw, state.Yaw);
    }

    [Fact]
    public void Diagonals_are_no_faster_than_straight_lines()
    {
        AnyInput.Sample(input =>
        {
            var state = Spawned();
            Movement.Step(ref state, input, s_settings);
            // The Q14 sine table is rounded, so sin² + cos² may exceed 1 by a hair: at most 1 mm/s.
            var speedSquared = (long)state.VelocityX * state.VelocityX + (long)state.VelocityZ * state.VelocityZ;
            var limit = s_settings.MoveSpeed + 1L;
            Assert.True(speedSquared <= limit * limit, $"{state}");
        }, iter: 20_000);
    }

    [Fact]
    public void Jump_rises_to_the_ballistic_apex_and_lands_grounded()
    {
        var state = Spawned();
        Movement.Step(ref state, new PlayerInput { Buttons = InputButtons.Jump }, s_settings);
        Assert.False(state.IsGrounded);
        Assert.True(state.PositionY > 0);

        var apex = state.PositionY;
        var ticks = 1;
        while (!state.IsGrounded && ticks < 600)
        {
            // Holding jump in the air does nothing more: only a grounded player can jump.
            Movement.Step(ref state, new PlayerInput { Buttons = InputButtons.Jump }, s_settings);
            apex = Math.Max(apex, state.PositionY);
            ticks++;
        }
        Assert.True(state.IsGrounded);
        Assert.Equal(s_settings.MinY, state.PositionY);
        Assert.Equal(0, state.VelocityY);

        // v²/2g = 5000² / (2 × 9810) ≈ 1274 mm; per-tick integration lands within a few percent of it,
        // and the flight lasts about 2v/g ≈ 1.02 s.
        Assert.InRange(apex, 1_200, 1_300);
        Assert.InRange(ticks, 58, 66);
    }

    [Fact]
    public void Gravity_pulls_a_player_in_the_air_down_to_the_floor_at_no_more_than_terminal_speed()
    {
        var settings = s_settings with { MaxY = 1_000_000, MaxFallSpeed = 20_000 };
        var state = new PlayerState { PositionY = 500_000 };
        var previousY = state.PositionY;
        for (var i = 0; i < 60 * 60 && !state.IsGrounded; i++)
        {
            Movement.Step(ref state, default, settings);
            Assert.True(state.PositionY <= previousY);
            Assert.True(state.VelocityY >= -settings.MaxFallSpeed);
            Assert.True(previousY - state.PositionY <= settings.MaxFallSpeed / settings.TickRate);
            previousY = state.PositionY;
        }
        Assert.True(state.IsGrounded);
        Assert.Equal(settings.MinY, state.PositionY);
        Assert.Equal(-settings.MaxFallSpeed, WorstFallSpeedReached(settings));
    }

    [Fact]
    public void Any_inputs_keep_the_player_inside_the_world()
    {
        var small = s_settings with { MinX = -2_000, MaxX = 2_000, MinZ = -1_000, MaxZ = 3_000, MaxY = 1_000 };
        AnyInput.Array[1, 400].Sample(inputs =>
        {
            var state = Spawned();
            foreach (var input in inputs)
            {
                Movement.Step(ref state, input, small);
                Assert.InRange(state.PositionX, small.MinX, small.MaxX);
                Assert.InRange(state.PositionY, small.MinY, small.MaxY);
                Assert.InRange(state.PositionZ, small.MinZ, small.MaxZ);
                Assert.InRange(state.Pitch, (short)-PlayerInput.QuarterTurn, (short)PlayerInput.QuarterTurn);
            }
        }, iter: 2_000);
    }

    [Fact]
    public void A_wall_stops_motion_into_it()
    {
        var settings = s_settings with { MaxZ = 150 };
        var state = Spawned();
        var forward = new PlayerInput { Forward = 127 };
        Movement.Step(ref state, forward, settings);
        Assert.Equal(100, state.PositionZ);
        Movement.Step(ref state, forward, settings);
        Assert.Equal(150, state.PositionZ);
        Assert.Equal(0, state.VelocityZ);
    }

    [Fact]
    public void Same_inputs_give_the_same_bits_and_a_pinned_result()
    {
        var first = RunScript(20_000, out var firstHash);
        var second = RunScript(20_000, out var secondHash);
        Assert.Equal(first, second);
        Assert.Equal(firstHash, secondHash);

        // Pinned, every intermediate state included: a change to Movement.Step or its math shows
        // here before it shows as corrections between old clients and new servers.
        Assert.Equal(ScriptFinalState, first);
        Assert.Equal(ScriptHash, firstHash);
    }

    [Fact]
    public void Step_allocates_nothing()
    {
        var state = Spawned();
        var input = new PlayerInput { Forward = 90, Right = -90, Yaw = 1234, Buttons = InputButtons.Jump };
        Movement.Step(ref state, input, s_settings);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            input.Yaw += 77;
            Movement.Step(ref state, input, s_settings);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    internal static PlayerState Spawned() => new() { Flags = PlayerFlags.Grounded };

    /// <summary>A fixed script from an LCG (not System.Random, whose sequence is not promised across versions).</summary>
    internal static PlayerState RunScript(int ticks, out long hash)
    {
        var state = Spawned();
        hash = 17;
        uint lcg = 12345;
        var input = default(PlayerInput);
        for (var i = 0; i < ticks; i++)
        {
            if (i % 20 == 0)
            {
                lcg = lcg * 1664525 + 1013904223;
                input.Forward = (sbyte)(lcg >> 24);
                input.Right = (sbyte)(lcg >> 16);
                input.Yaw = (ushort)lcg;
                input.Pitch = (short)(lcg >> 8);
                input.Buttons = (lcg & 0x300) == 0x300 ? InputButtons.Jump : InputButtons.None;
            }
            Movement.Step(ref state, input, s_settings);
            foreach (var value in (ReadOnlySpan<long>)[state.PositionX, state.PositionY, state.PositionZ, state.VelocityX, state.VelocityY, state.VelocityZ, state.Yaw, state.Pitch, (long)state.Flags])
            {
                hash = hash * 31 + value;
            }
        }
        return state;
    }

    private static int WorstFallSpeedReached(ArenaSettings settings)
    {
        var state = new PlayerState { PositionY = settings.MaxY };
        var worst = 0;
        while (!state.IsGrounded)
        {
            Movement.Step(ref state, default, settings);
            worst = Math.Min(worst, state.VelocityY == 0 ? worst : state.VelocityY);
        }
        return worst;
    }

    private const long SineTableHash = -5493233006579548143;
    private const long ScriptHash = -6172895127111752515;

    private static readonly PlayerState ScriptFinalState = new()
    {
        PositionX = 36840, PositionZ = 25200, VelocityX = 1331, VelocityZ = -637, Yaw = 30177, Pitch = -6027, Flags = PlayerFlags.Grounded,
        Forward = 20, Right = -24,
    };
}
