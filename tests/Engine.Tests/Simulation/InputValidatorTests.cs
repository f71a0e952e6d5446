using Engine.Protocol.Simulation;
using Engine.Server.Simulation;
using Xunit;

namespace Engine.Tests.Simulation;

/// <summary>InputValidator: clamps and counts bad values, applies each input once in order, waits for then skips holes, and rate-limits.</summary>
public class InputValidatorTests
{
    [Fact]
    public void Out_of_range_values_are_clamped_and_counted()
    {
        var (validator, mode) = Create();
        validator.Receive(0, [new PlayerInput { Sequence = 1, Forward = -128, Right = -128, Pitch = short.MinValue, Buttons = (InputButtons)0xFF }]);
        validator.Receive(0, [new PlayerInput { Sequence = 2, Forward = 127, Pitch = 20_000 }]);
        validator.ApplyTick(mode);
        validator.ApplyTick(mode); // a small backlog plays out one input a tick

        Assert.Equal(2, validator.Counters.AxisClamped);
        Assert.Equal(2, validator.Counters.PitchClamped);
        Assert.Equal(1, validator.Counters.ButtonsCleared);
        Assert.Equal(new PlayerInput { Sequence = 1, Forward = -127, Right = -127, Pitch = -16384, Buttons = InputButtons.All }, mode.Applied[0].Input);
        Assert.Equal(16384, mode.Applied[1].Input.Pitch);
        Assert.Equal(2u, validator.LastApplied(0));
    }

    [Fact]
    public void Redundant_copies_are_applied_once_in_sequence_order()
    {
        var (validator, mode) = Create();

        // Messages of newest-plus-three, arriving out of order and twice.
        validator.Receive(0, Run(4, 4));
        validator.Receive(0, Run(6, 4));
        validator.Receive(0, Run(5, 4));
        validator.Receive(0, Run(6, 4));
        validator.ApplyTick(mode);
        validator.ApplyTick(mode);
        validator.ApplyTick(mode);

        Assert.Equal([1u, 2, 3, 4, 5, 6], mode.Applied.Select(a => a.Input.Sequence));
        Assert.Equal(6u, validator.LastApplied(0));
        Assert.Equal(16, validator.Counters.Received);
        Assert.Equal(6, validator.Counters.Accepted);
        Assert.Equal(10, validator.Counters.Duplicates);

        // Old ones after application are duplicates too, and change nothing.
        validator.Receive(0, Run(6, 4));
        validator.ApplyTick(mode);
        Assert.Equal(6, mode.Applied.Count);
        Assert.Equal(14, validator.Counters.Duplicates);
    }

    [Fact]
    public void At_most_the_budget_per_tick_and_no_more_than_the_credit_earned()
    {
        var (validator, mode) = Create();
        for (uint sequence = 1; sequence <= 10; sequence++)
        {
            validator.Receive(0, [new PlayerInput { Sequence = sequence }]);
        }
        var perTick = new List<int>();
        for (var tick = 0; tick < 8; tick++)
        {
            var before = mode.Applied.Count;
            validator.ApplyTick(mode);
            perTick.Add(mode.Applied.Count - before);
        }
        // Four of credit to start, one more each tick, four at most in one tick.
        Assert.Equal([4, 2, 1, 1, 1, 1, 0, 0], perTick);
        Assert.Equal(5, validator.Counters.RateLimited);
    }

    [Fact]
    public void A_client_flooding_inputs_moves_no_faster_than_one_input_per_tick()
    {
        var (validator, mode) = Create();
        uint sequence = 0;
        const int Ticks = 300;
        for (var tick = 0; tick < Ticks; tick++)
        {
            // Three new inputs every tick: a 3x speed hack.
            sequence += 3;
            validator.Receive(0, Run(sequence, 3));
            validator.ApplyTick(mode);
        }
        Assert.InRange(mode.Applied.Count, Ticks, Ticks + InputValidator.DefaultMaxInputsPerTick);
        Assert.Equal(Ticks + InputValidator.DefaultMaxInputsPerTick, mode.Applied.Count);
        Assert.True(validator.Counters.Overflow > 0);
        Assert.True(validator.Counters.RateLimited > 0);
        Assert.True(validator.LastApplied(0) > sequence - InputValidator.DefaultBufferCapacity - 1, "the window follows the client");
    }

    [Fact]
    public void A_hole_is_filled_when_its_copy_arrives_in_time()
    {
        var (validator, mode) = Create();
        validator.Receive(0, Run(2, 2));
        validator.Receive(0, [new PlayerInput { Sequence = 5 }, new PlayerInput { Sequence = 4 }]);
        validator.ApplyTick(mode);
        Assert.Equal(2u, validator.LastApplied(0));

        validator.ApplyTick(mode);
        validator.Receive(0, [new PlayerInput { Sequence = 3 }]);
        validator.ApplyTick(mode);
        validator.ApplyTick(mode);
        validator.ApplyTick(mode); // the three now buffered play out one a tick
        Assert.Equal([1u, 2, 3, 4, 5], mode.Applied.Select(a => a.Input.Sequence));
        Assert.Equal(0, validator.Counters.Lost);
    }

    [Fact]
    public void A_hole_is_skipped_after_the_wait()
    {
        var (validator, mode) = Create();
        validator.Receive(0, Run(2, 2));
        validator.Receive(0, [new PlayerInput { Sequence = 6 }, new PlayerInput { Sequence = 5 }]);
        for (var tick = 0; tick < InputValidator.DefaultMaxHoleWaitTicks; tick++)
        {
            validator.ApplyTick(mode);
            Assert.Equal(2u, validator.LastApplied(0));
        }
        validator.ApplyTick(mode);
        Assert.Equal([1u, 2, 5, 6], mode.Applied.Select(a => a.Input.Sequence));
        Assert.Equal(2, validator.Counters.Lost);

        // The skipped ones arriving late are stale now.
        validator.Receive(0, [new PlayerInput { Sequence = 4 }, new PlayerInput { Sequence = 3 }]);
        validator.ApplyTick(mode);
        Assert.Equal(4, mode.Applied.Count);
    }

    [Fact]
    public void A_sequence_far_ahead_moves_the_window_instead_of_wedging_the_player()
    {
        var (validator, mode) = Create();
        validator.Receive(0, Run(1, 1));
        validator.ApplyTick(mode);
        validator.Receive(0, [new PlayerInput { Sequence = 1000 }]);
        for (var tick = 0; tick < 20; tick++)
        {
            validator.ApplyTick(mode);
        }
        Assert.Equal(1000u, validator.LastApplied(0));
        Assert.Equal([1u, 1000], mode.Applied.Select(a => a.Input.Sequence));
        Assert.Equal(1, validator.Counters.Overflow);
        Assert.Equal(31, validator.Counters.Lost);
    }

    [Fact]
    public void Sequence_zero_and_empty_slots_are_counted_and_ignored()
    {
        var (validator, mode) = Create();
        validator.Receive(0, [new PlayerInput { Sequence = 0 }]);
        validator.Receive(1, Run(1, 1));
        validator.ApplyTick(mode);
        Assert.Empty(mode.Applied);
        Assert.Equal(1, validator.Counters.InvalidSequence);
        Assert.Equal(1, validator.Counters.NoPlayer);
    }

    [Fact]
    public void A_late_burst_is_caught_up_from_banked_credit_instead_of_becoming_latency()
    {
        var (validator, mode) = Create();
        for (var tick = 0; tick < 10; tick++)
        {
            validator.ApplyTick(mode);
        }

        // Ten ticks of inputs arrive at once (a stall on the way): applied four a tick while more
        // than SmoothingBacklog are waiting, then the rest one a tick, as a jitter buffer plays out.
        validator.Receive(0, Run(8, 8));
        validator.Receive(0, Run(10, 2));
        var perTick = new List<int>();
        for (var tick = 0; tick < 4; tick++)
        {
            var before = mode.Applied.Count;
            validator.ApplyTick(mode);
            perTick.Add(mode.Applied.Count - before);
        }
        Assert.Equal([4, 4, 1, 1], perTick);
    }

    [Fact]
    public void Rejoining_starts_sequences_again()
    {
        var (validator, mode) = Create();
        validator.Receive(0, Run(3, 3));
        validator.ApplyTick(mode);
        validator.Leave(0);
        validator.Join(0);
        Assert.Equal(0u, validator.LastApplied(0));
        validator.Receive(0, Run(1, 1));
        validator.ApplyTick(mode);
        Assert.Equal(1u, validator.LastApplied(0));
    }

    [Fact]
    public void With_the_arena_mode_inputs_move_the_player_as_Movement_Step_does()
    {
        var settings = ArenaSettings.Default;
        var mode = new MovementArenaMode(4, settings);
        var validator = new InputValidator(4);
        mode.OnPlayerJoined(2);
        validator.Join(2);
        var expected = MovementArenaMode.SpawnState(2, settings);
        for (uint sequence = 1; sequence <= 120; sequence++)
        {
            var input = new PlayerInput { Sequence = sequence, Forward = 127, Yaw = (ushort)(sequence * 300), Buttons = sequence % 40 == 0 ? InputButtons.Jump : 0 };
            Movement.Step(ref expected, input, settings);
            validator.Receive(2, [input]);
            validator.ApplyTick(mode);
            mode.Tick(sequence);
        }
        Assert.Equal(expected, mode.PlayerStates[2]);
    }

    [Fact]
    public void Receive_and_ApplyTick_allocate_nothing()
    {
        var mode = new MovementArenaMode(8, ArenaSettings.Default);
        var validator = new InputValidator(8);
        for (var slot = 0; slot < 8; slot++)
        {
            mode.OnPlayerJoined(slot);
            validator.Join(slot);
        }
        var inputs = new PlayerInput[4];
        void Tick(uint newest)
        {
            for (var i = 0; i < 4; i++)
            {
                inputs[i] = new PlayerInput { Sequence = newest - (uint)i, Forward = 100, Yaw = (ushort)newest };
            }
            for (var slot = 0; slot < 8; slot++)
            {
                validator.Receive(slot, inputs);
            }
            validator.ApplyTick(mode);
        }
        Tick(4);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (uint newest = 5; newest < 1000; newest++)
        {
            Tick(newest);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static (InputValidator Validator, RecordingMode Mode) Create()
    {
        var validator = new InputValidator(2);
        validator.Join(0);
        return (validator, new RecordingMode());
    }

    private static PlayerInput[] Run(uint newest, int count) =>
        Enumerable.Range(0, count).Select(i => new PlayerInput { Sequence = newest - (uint)i, Forward = 10 }).ToArray();

    private sealed class RecordingMode : IGameMode
    {
        private readonly PlayerState[] _states = new PlayerState[2];

        public List<(int Slot, PlayerInput Input)> Applied { get; } = [];
        public int Capacity => 2;
        public ReadOnlySpan<PlayerState> PlayerStates => _states;
        public void OnPlayerJoined(int slot) { }
        public void OnPlayerLeft(int slot) { }
        public void ApplyInput(int slot, in PlayerInput input) => Applied.Add((slot, input));
        public void Tick(long tick) { }
    }
}
