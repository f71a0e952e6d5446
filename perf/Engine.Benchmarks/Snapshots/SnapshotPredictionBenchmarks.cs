using BenchmarkDotNet.Attributes;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;

namespace Engine.Benchmarks.Snapshots;

/// <summary>
/// Dead reckoning of one room's baseline, which every client does for every snapshot it decodes
/// and the server for every encoding: 50 players stepped by the arena's rule from inputs like the
/// load test's (most running, some on a diagonal, some strafing; a third turning; a few in the
/// air), extrapolated 3 ticks (a client one snapshot behind at 60/20 Hz) and 9 (three behind).
/// </summary>
public class SnapshotPredictionBenchmarks
{
    private const int Players = 50;
    private readonly SnapshotFrame _baseline = new(Players);
    private readonly SnapshotFrame _predicted = new(Players);

    [Params(3u, 9u)]
    public uint Ticks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var settings = ArenaSettings.Default;
        var random = new Random(5);
        for (var slot = 0; slot < Players; slot++)
        {
            var state = new PlayerState { PositionX = random.Next(-20_000, 20_000), PositionZ = random.Next(-20_000, 20_000), Flags = PlayerFlags.Grounded };
            var (forward, right) = (slot % 10) switch
            {
                0 => ((sbyte)0, (sbyte)127),
                1 or 2 => ((sbyte)100, (sbyte)80),
                _ => ((sbyte)127, (sbyte)0),
            };
            var yaw = (ushort)random.Next(65536);
            var turn = slot % 3 == 0 ? PlayerInput.QuarterTurn / settings.TickRate : 0; // a quarter turn per second
            var jumpAt = slot % 8 == 0 ? 118 : -1; // airborne at the end
            for (var tick = 0; tick < 120; tick++)
            {
                yaw = (ushort)(yaw + turn);
                var input = new PlayerInput { Forward = forward, Right = right, Yaw = yaw, Buttons = tick == jumpAt ? InputButtons.Jump : InputButtons.None };
                Movement.Step(ref state, input, settings);
            }
            ArenaSnapshot.Write(_baseline, slot, state, (uint)slot + 1);
        }
        _baseline.Tick = 300;
    }

    [Benchmark]
    public void Extrapolate() => SnapshotPrediction.Extrapolate(_baseline, Ticks, 60, _predicted);
}
