using System.Diagnostics;
using System.Net;
using Engine.LoadTest;
using Engine.LoadTest.Swarm;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// The swarm's own loop against the AOT engine, in both socket layouts: every player in a room and playing,
/// then seconds of passes (receive, route, decode, predict, send) that must allocate nothing, route every
/// datagram, and (a socket per player) send from as many source ports as there are players.
/// </summary>
public sealed class SwarmPassAllocationTests
{
    private const int Players = 40;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly Func<bool> s_never = () => false;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Steady_passes_allocate_nothing(bool shared)
    {
        var port = EngineProcess.FreeUdpPort();
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", port.ToString(), "--stats-interval-seconds", "0",
            "--max-sessions-per-address", "1000", "--packets-per-second-per-address", "0", "--handshakes-per-second-per-address", "0",
            "--default-room-capacity", "10", "--max-players-per-room", "10", "--snapshot-rate", "20", "--drain-timeout-seconds", "0");
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + port, s_timeout), engine.Output + engine.Error);

        string[] args = ["steady", "--players", $"{Players}", "--room-size", "10", "--insecure", "--addresses", "4"];
        var options = LoadTestOptions.Parse(shared ? [.. args, "--shared-sockets", "4"] : args);
        using var swarm = new PlayerSwarm(options, new IPEndPoint(IPAddress.Loopback, port), tokenKey: null);
        Assert.Equal(shared ? 4 : Players, swarm.Sockets.Count);
        Assert.Equal(!shared, swarm.Sockets.NamesPlayer);

        swarm.ScheduleStarts(Engine.Protocol.Time.MonotonicClock.NowUs, 200, 0);
        Run(swarm, TimeSpan.FromSeconds(20), () => swarm.Count(PlayerPhase.Playing) == Players);
        Assert.Equal(Players, swarm.Count(PlayerPhase.Playing));
        Run(swarm, TimeSpan.FromSeconds(1), s_never); // warm: every path taken once

        var received = swarm.Sockets.TotalCounters().DatagramsReceived;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(swarm, TimeSpan.FromSeconds(2), s_never);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(swarm.Sockets.TotalCounters().DatagramsReceived - received > Players * 20, "snapshots arrived while measured");
        Assert.Equal(0, allocated);
        Assert.Equal(0, swarm.Counters.Unrouted);
        Assert.Equal(Players, swarm.Count(PlayerPhase.Playing));
        swarm.DisconnectAll(TimeSpan.FromMilliseconds(100));
    }

    private static void Run(PlayerSwarm swarm, TimeSpan time, Func<bool> done)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < time && !done())
        {
            if (!swarm.Pass())
            {
                swarm.Idle();
            }
        }
    }
}
