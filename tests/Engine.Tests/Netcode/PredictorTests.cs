using Engine.Client.Netcode;
using Engine.Protocol.Simulation;
using Engine.Server.Simulation;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>Predictor: no corrections for an honest client, rewind-and-replay convergence after a correction, stale and bogus acks ignored.</summary>
public class PredictorTests
{
    private static readonly ArenaSettings s_settings = ArenaSettings.Default;

    [Fact]
    public void Seeded_after_the_server_already_applied_some_inputs_it_continues_from_there_uncorrected()
    {
        // The server moved us to a new room and applied 5 inputs we sent before we heard of it.
        var server = MovementArenaMode.SpawnState(3, s_settings);
        for (uint sequence = 1; sequence <= 5; sequence++)
        {
            Movement.Step(ref server, Script((int)sequence) with { Sequence = sequence }, s_settings);
        }
        var predictor = new Predictor(s_settings, default);
        predictor.Reset(server, lastApplied: 5);

        Span<PlayerInput> recent = stackalloc PlayerInput[4];
        Assert.Equal(0, predictor.CopyRecent(recent)); // nothing of ours to resend yet
        for (var tick = 6; tick <= 60; tick++)
        {
            var input = predictor.Apply(Script(tick));
            Assert.Equal((uint)tick, input.Sequence);
            Movement.Step(ref server, input, s_settings);
            Assert.False(predictor.Reconcile(server, input.Sequence));
        }
        Assert.Equal(4, predictor.CopyRecent(recent));
        Assert.Equal(60u, recent[0].Sequence);
        Assert.Equal(0, predictor.Stats.Corrections);
    }

    [Fact]
    public void An_honest_client_on_a_perfect_network_is_never_corrected()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn);
        var server = spawn;
        var acked = new Queue<(PlayerState State, uint Sequence)>();
        for (var tick = 1; tick <= 600; tick++)
        {
            var input = predictor.Apply(Script(tick));
            Movement.Step(ref server, input, s_settings);
            acked.Enqueue((server, input.Sequence));

            // Snapshots every third tick, six ticks (100 ms) late.
            if (tick % 3 == 0 && acked.Count > 6)
            {
                while (acked.Count > 6)
                {
                    var (state, sequence) = acked.Dequeue();
                    if (sequence % 3 == 0)
                    {
                        Assert.False(predictor.Reconcile(state, sequence));
                    }
                }
            }
        }
        Assert.Equal(0, predictor.Stats.Mispredictions);
        Assert.Equal(0, predictor.Stats.Corrections);
        Assert.Equal(0, predictor.Stats.InputsReplayed);
        Assert.Equal(server, predictor.State);
        Assert.True(predictor.Unacknowledged <= 6);
    }

    [Fact]
    public void A_correction_rewinds_replays_and_converges()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn);
        var inputs = new List<PlayerInput>();
        for (var tick = 1; tick <= 30; tick++)
        {
            inputs.Add(predictor.Apply(Script(tick)));
        }
        var predictedBefore = predictor.State;

        // The server applied inputs 1..20 but something pushed the player 1 m along X on the way.
        var server = spawn;
        foreach (var input in inputs.Take(20))
        {
            Movement.Step(ref server, input, s_settings);
        }
        server.PositionX += 1_000;

        Assert.True(predictor.Reconcile(server, 20));
        var expected = server;
        foreach (var input in inputs.Skip(20))
        {
            Movement.Step(ref expected, input, s_settings);
        }
        Assert.Equal(expected, predictor.State);
        Assert.Equal(1, predictor.Stats.Mispredictions);
        Assert.Equal(1, predictor.Stats.Corrections);
        Assert.Equal(10, predictor.Stats.InputsReplayed);
        Assert.Equal(FixedMath.Distance(predictedBefore, expected), predictor.Stats.LastCorrectionMm);
        Assert.InRange(predictor.Stats.LastCorrectionMm, 900, 1_000);

        // From then on the server (continuing from its state) and the client agree again.
        for (var tick = 31; tick <= 60; tick++)
        {
            inputs.Add(predictor.Apply(Script(tick)));
        }
        foreach (var input in inputs.Skip(20).Take(25))
        {
            Movement.Step(ref server, input, s_settings);
        }
        Assert.False(predictor.Reconcile(server, 45));
        Assert.Equal(1, predictor.Stats.Corrections);
        Assert.Equal(15, predictor.Unacknowledged);
    }

    [Fact]
    public void A_misprediction_that_the_replay_absorbs_is_not_a_visible_correction()
    {
        var settings = s_settings with { MaxX = 1_000 };
        var start = new PlayerState { PositionX = 900, Flags = PlayerFlags.Grounded };
        var predictor = new Predictor(settings, start);
        var right = new PlayerInput { Right = 127 };
        for (var i = 0; i < 10; i++)
        {
            predictor.Apply(right);
        }

        // Pushed 50 mm back after input 1, but the wall stops both versions at the same place.
        var server = start;
        Movement.Step(ref server, right, settings);
        server.PositionX -= 50;
        Assert.False(predictor.Reconcile(server, 1));
        Assert.Equal(1, predictor.Stats.Mispredictions);
        Assert.Equal(0, predictor.Stats.Corrections);
    }

    [Fact]
    public void Stale_and_bogus_acknowledgements_change_nothing()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn);
        for (var tick = 1; tick <= 10; tick++)
        {
            predictor.Apply(Script(tick));
        }
        var state = predictor.State;
        Assert.False(predictor.Reconcile(Predicted(spawn, 6), 6));
        Assert.False(predictor.Reconcile(default, 3));
        Assert.False(predictor.Reconcile(default, 11));
        Assert.Equal(state, predictor.State);
        Assert.Equal(1, predictor.Stats.StaleAcks);
        Assert.Equal(1, predictor.Stats.InvalidAcks);
        Assert.Equal(6u, predictor.LastAcknowledged);
    }

    [Fact]
    public void The_same_ack_again_is_checked_against_the_acknowledged_state()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn);
        Assert.False(predictor.Reconcile(spawn, 0));

        // Before any input the server moved (respawned) the player: corrected to it.
        var respawned = spawn with { PositionX = spawn.PositionX + 3_000 };
        Assert.True(predictor.Reconcile(respawned, 0));
        Assert.Equal(respawned, predictor.State);
        Assert.Equal(3_000, predictor.Stats.LastCorrectionMm);
    }

    [Fact]
    public void Inputs_that_fell_out_of_the_ring_are_counted_and_the_rest_replayed()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn, capacity: 16);
        for (var tick = 1; tick <= 40; tick++)
        {
            predictor.Apply(Script(tick));
        }
        predictor.Reconcile(spawn, 5);
        Assert.Equal(1, predictor.Stats.RingOverruns);
        Assert.Equal(16, predictor.Stats.InputsReplayed);
        Assert.Equal(35, predictor.Unacknowledged);
    }

    [Fact]
    public void Copy_recent_gives_the_newest_inputs_newest_first()
    {
        var predictor = new Predictor(s_settings, default);
        var recent = new PlayerInput[4];
        Assert.Equal(0, predictor.CopyRecent(recent));
        predictor.Apply(default);
        predictor.Apply(default);
        Assert.Equal(2, predictor.CopyRecent(recent));
        Assert.Equal([2u, 1u], recent.Take(2).Select(i => i.Sequence));
        for (var i = 0; i < 10; i++)
        {
            predictor.Apply(default);
        }
        Assert.Equal(4, predictor.CopyRecent(recent));
        Assert.Equal([12u, 11u, 10u, 9u], recent.Select(i => i.Sequence));
    }

    [Fact]
    public void With_a_tolerance_coarser_snapshots_are_not_mispredictions()
    {
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var exact = new Predictor(s_settings, spawn);
        var tolerant = new Predictor(s_settings, spawn, toleranceMm: 9);
        var server = spawn;
        for (var tick = 1; tick <= 300; tick++)
        {
            var input = exact.Apply(Script(tick));
            tolerant.Apply(Script(tick));
            Movement.Step(ref server, input, s_settings);
            if (tick % 3 == 0)
            {
                // A snapshot in centimetres, as a coarser codec would carry it.
                var coarse = server with
                {
                    PositionX = RoundToCm(server.PositionX), PositionY = RoundToCm(server.PositionY), PositionZ = RoundToCm(server.PositionZ),
                    VelocityX = RoundToCm(server.VelocityX), VelocityY = RoundToCm(server.VelocityY), VelocityZ = RoundToCm(server.VelocityZ),
                };
                exact.Reconcile(coarse, input.Sequence);
                tolerant.Reconcile(coarse, input.Sequence);
            }
        }
        Assert.True(exact.Stats.Mispredictions > 0);
        Assert.Equal(0, tolerant.Stats.Mispredictions);
        Assert.Equal(server, tolerant.State);
    }

    [Fact]
    public void Apply_and_Reconcile_allocate_nothing()
    {
        var predictor = new Predictor(s_settings, MovementArenaMode.SpawnState(0, s_settings));
        var recent = new PlayerInput[4];
        predictor.Apply(Script(1));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var tick = 2; tick < 2_000; tick++)
        {
            predictor.Apply(Script(tick));
            predictor.CopyRecent(recent);
            if (tick % 3 == 0)
            {
                predictor.Reconcile(default, (uint)tick - 5);
            }
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    /// <summary>A busy, honest player: runs, strafes, turns, looks around and jumps.</summary>
    internal static PlayerInput Script(int tick) => new()
    {
        Forward = (sbyte)(tick / 45 % 3 == 2 ? -127 : 127),
        Right = (sbyte)((tick / 70 % 3 - 1) * 127),
        Yaw = (ushort)(tick * 173),
        Pitch = (short)(tick * 37 % 20_000 - 10_000),
        Buttons = tick % 50 == 0 ? InputButtons.Jump : InputButtons.None,
    };

    private static int RoundToCm(int millimetres) => (int)Math.Round(millimetres / 10.0, MidpointRounding.AwayFromZero) * 10;

    private static PlayerState Predicted(PlayerState start, int upTo)
    {
        var state = start;
        for (var tick = 1; tick <= upTo; tick++)
        {
            Movement.Step(ref state, Script(tick), s_settings);
        }
        return state;
    }
}
