using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Engine.Client.Netcode;
using Engine.Protocol;
using Engine.Protocol.Simulation;
using Engine.Server.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Netcode;

/// <summary>
/// The game layer's netcode end to end, sans-IO: a predicting client sends inputs (newest plus
/// three) over a deterministic lossy, jittery network to a server running the input validator
/// and the movement arena at 60 Hz, which sends back the player's state and last applied input at
/// 20 Hz over the same network; the client reconciles. The divergence measured is between the
/// server's state after input N and what the client predicted for input N: the error a player
/// would see corrected.
/// </summary>
public class LossyNetcodeTests(ITestOutputHelper output)
{
    private const int Redundancy = 3;

    private static readonly ArenaSettings s_settings = ArenaSettings.Default;

    /// <summary>One input's worth of walking: the most a single lost input moves the server off the prediction horizontally.</summary>
    private static readonly int s_stepMm = s_settings.MoveSpeed / s_settings.TickRate;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void With_50ms_jitter_and_no_loss_an_honest_client_is_never_corrected(int seed)
    {
        var result = Simulate(seed, new LossyNetworkOptions { LatencyUs = 20_000, JitterUs = 50_000 });

        Assert.True(result.Network.Delivered > 2_000);
        Assert.Equal(0, result.Network.Dropped);
        Assert.Equal(0, result.Stats.Mispredictions);
        Assert.Equal(0, result.Stats.Corrections);
        Assert.Equal(0, result.MaxDivergenceMm);
        Assert.Equal(0, result.Counters.Lost);
        Assert.Equal(0, result.Counters.Overflow);
        AssertConverged(result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void With_5_percent_loss_and_50ms_jitter_the_client_stays_close_and_is_only_corrected_for_lost_inputs(int seed)
    {
        var result = Simulate(seed, new LossyNetworkOptions { LossRate = 0.05, LatencyUs = 20_000, JitterUs = 50_000 });

        Assert.True(result.Network.Dropped > 100, "the network did lose packets");

        // Redundancy covers single losses: only an input whose every copy was lost can move the
        // server away from the prediction, by at most about one tick of movement per such input.
        Assert.True(result.Stats.Corrections <= result.Counters.Lost, $"{result.Stats.Corrections} corrections, {result.Counters.Lost} inputs lost");
        if (result.Counters.Lost == 0)
        {
            Assert.Equal(0, result.Stats.Mispredictions);
            Assert.Equal(0, result.MaxDivergenceMm);
        }
        Assert.InRange(result.MaxDivergenceMm, 0, SmallDistanceMm(result.Counters.Lost));
        AssertConverged(result);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void On_a_hostile_network_the_client_converges_on_the_server(int seed)
    {
        var result = Simulate(seed, LossyNetworkOptions.Hostile with { JitterUs = 50_000 });

        Assert.True(result.Network.Duplicated > 0 && result.Network.Reordered > 0);
        Assert.True(result.Stats.Corrections <= result.Counters.Lost);
        Assert.InRange(result.MaxDivergenceMm, 0, SmallDistanceMm(result.Counters.Lost));
        AssertConverged(result);
    }

    /// <summary>Each lost input costs at most a tick of walking plus, if it was a jump, the jump's height.</summary>
    private static long SmallDistanceMm(long lostInputs) => lostInputs == 0 ? 0 : 2 * s_stepMm + 1_300;

    private void AssertConverged(Result result)
    {
        output.WriteLine(
            $"sent {result.Network.Sent}, dropped {result.Network.Dropped}, duplicated {result.Network.Duplicated}; inputs applied {result.Counters.Applied}, " +
            $"lost {result.Counters.Lost}, rate-limited ticks {result.Counters.RateLimited}; mispredictions {result.Stats.Mispredictions}, " +
            $"corrections {result.Stats.Corrections} (max {result.Stats.MaxCorrectionMm} mm); max divergence {result.MaxDivergenceMm} mm");
        Assert.Equal(result.Predictor.LastSequence, result.Predictor.LastAcknowledged);
        Assert.Equal(result.ServerState, result.Predictor.State);
    }

    private sealed record Result(LossyNetwork Network, Predictor Predictor, NetcodeStats Stats, InputCounters Counters, PlayerState ServerState, long MaxDivergenceMm);

    private static Result Simulate(int seed, LossyNetworkOptions options, int seconds = 30)
    {
        const int Client = 0;
        const int Server = 1;
        const long StepUs = 500;
        var inputsEndUs = seconds * 1_000_000L;
        var endUs = inputsEndUs + 2_000_000;

        var mode = new MovementArenaMode(1, s_settings);
        var validator = new InputValidator(1);
        mode.OnPlayerJoined(0);
        validator.Join(0);
        var spawn = MovementArenaMode.SpawnState(0, s_settings);
        var predictor = new Predictor(s_settings, spawn);
        var network = new LossyNetwork(seed, options);

        // Client and server tick at the same rate but out of phase, as two machines do.
        var clientClock = new FixedTickClock(startUs: 0);
        var serverClock = new FixedTickClock(startUs: 7_321);
        var predictions = new List<PlayerState> { spawn };
        var player = new HonestPlayer(seed);
        var recent = new PlayerInput[Redundancy + 1];
        var received = new PlayerInput[InputMessage.MaxInputs];
        var message = new byte[InputMessage.MaxSize];
        var snapshot = new byte[SnapshotSize];
        long maxDivergence = 0;

        for (var now = 0L; now <= endUs; now += StepUs)
        {
            while (network.TryDeliver(now, out var datagram))
            {
                if (datagram.To == Server)
                {
                    Assert.Equal(DropReason.None, InputMessage.TryRead(datagram.Data, received, out var count));
                    validator.Receive(0, received.AsSpan(0, count));
                }
                else
                {
                    ReadSnapshot(datagram.Data, out var state, out var lastApplied);
                    predictor.Reconcile(state, lastApplied);
                }
            }

            var clientTicks = clientClock.Advance(now, out _);
            for (var i = 0; i < clientTicks; i++)
            {
                // After the inputs end the client keeps resending its newest ones, as a live client's
                // next inputs would carry them, so the last inputs are not lost for want of a later packet.
                if (now < inputsEndUs)
                {
                    predictor.Apply(player.Next());
                    predictions.Add(predictor.State);
                }
                var count = predictor.CopyRecent(recent);
                if (count > 0)
                {
                    network.Send(Client, message.AsSpan(0, InputMessage.Write(message, recent.AsSpan(0, count))), now);
                }
            }

            var serverTicks = serverClock.Advance(now, out var firstTick);
            for (var tick = firstTick; tick < firstTick + serverTicks; tick++)
            {
                validator.ApplyTick(mode);
                mode.Tick(tick);
                var lastApplied = validator.LastApplied(0);
                var state = mode.PlayerStates[0];
                maxDivergence = Math.Max(maxDivergence, FixedMath.Distance(state, predictions[(int)lastApplied]));
                if (serverClock.IsSnapshotTick(tick))
                {
                    WriteSnapshot(snapshot, state, lastApplied);
                    network.Send(Server, snapshot, now);
                }
            }
        }
        return new Result(network, predictor, predictor.Stats, validator.Counters, mode.PlayerStates[0], maxDivergence);
    }

    // A stand-in for the snapshot codec (not this test's subject): the player's state and last applied input, raw.
    private static readonly int SnapshotSize = 4 + Marshal.SizeOf<PlayerState>();

    private static void WriteSnapshot(Span<byte> destination, in PlayerState state, uint lastApplied)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, lastApplied);
        var copy = state;
        MemoryMarshal.Write(destination[4..], in copy);
    }

    private static void ReadSnapshot(ReadOnlySpan<byte> source, out PlayerState state, out uint lastApplied)
    {
        lastApplied = BinaryPrimitives.ReadUInt32LittleEndian(source);
        state = MemoryMarshal.Read<PlayerState>(source[4..]);
    }

    /// <summary>Runs about, strafes, turns and jumps, always with in-range values.</summary>
    private sealed class HonestPlayer(int seed)
    {
        private readonly Random _random = new(seed);
        private PlayerInput _input;
        private int _ticks;

        public PlayerInput Next()
        {
            if (_ticks++ % 20 == 0)
            {
                _input.Forward = (sbyte)_random.Next(-127, 128);
                _input.Right = (sbyte)_random.Next(-127, 128);
                _input.Pitch = (short)_random.Next(-16384, 16385);
            }
            _input.Yaw += (ushort)_random.Next(0, 400);
            _input.Buttons = _random.Next(90) == 0 ? InputButtons.Jump : InputButtons.None;
            return _input;
        }
    }
}
