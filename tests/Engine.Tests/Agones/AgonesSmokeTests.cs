using System.Net;
using Engine.Client;
using Engine.Protocol.Sessions;
using Engine.Tests.Admin;
using Engine.Tests.Server;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.Agones;

/// <summary>The AOT binary with --agones against a local stand-in for the SDK sidecar's REST gateway.</summary>
public class AgonesSmokeTests
{
    private const int SigTerm = 15;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private static EngineProcess StartEngine(int udpPort, FakeAgonesSidecar sidecar, params string[] more) =>
        EngineProcess.Start(["--bind", "127.0.0.1", "--port", udpPort.ToString(), "--ping-interval-ms", "100", "--stats-interval-seconds", "0",
            "--agones", "--agones-sdk-address", sidecar.Address, .. more]);

    private static void AssertOrdered(IReadOnlyList<AgonesCall> calls, params string[] paths)
    {
        var at = 0;
        foreach (var call in calls.Where(c => c.Status == 200 && c.Key is null && c.Path != "/health"))
        {
            if (at < paths.Length && call.Path == paths[at])
            {
                at++;
            }
        }
        Assert.True(at == paths.Length, $"expected {string.Join(", ", paths)} in order; got {string.Join("; ", calls)}");
    }

    [Fact]
    public void Goes_ready_sends_health_labels_its_load_is_allocated_while_rooms_are_open_and_after_draining_calls_shutdown_and_exits_0()
    {
        using var sidecar = new FakeAgonesSidecar(AdminHttp.FreeTcpPort());
        var udpPort = EngineProcess.FreeUdpPort();
        using var engine = StartEngine(udpPort, sidecar, "--drain-timeout-seconds", "2", "--empty-room-grace-ms", "300");
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + udpPort, s_timeout), engine.Output + engine.Error);

        Assert.True(TestServer.WaitFor(() => sidecar.Count("POST", "/ready") == 1 && sidecar.Count("POST", "/health") >= 2, s_timeout), string.Join("; ", sidecar.Calls));
        Assert.True(TestServer.WaitFor(() => sidecar.Label("players") == "0" && sidecar.Label("rooms") == "0" && sidecar.Label("draining") == "false", s_timeout),
            string.Join("; ", sidecar.Calls));
        Assert.Equal(0, sidecar.Count("POST", "/allocate"));
        var healths = sidecar.Calls.Where(c => c.Path == "/health").Select(c => c.At).ToList();
        Assert.InRange((healths[1] - healths[0]).TotalSeconds, 1.5, 4);

        // A player: the node is allocated and labelled with its load.
        using var player = new EngineClient();
        player.Connect(new IPEndPoint(IPAddress.Loopback, udpPort));
        Assert.True(player.WaitUntilConnected(s_timeout));
        var match = player.QuickMatch();
        Assert.True(TestServer.PumpUntil([player], () => match.IsCompleted && sidecar.Count("POST", "/allocate") == 1
            && sidecar.Label("players") == "1" && sidecar.Label("rooms") == "1", s_timeout), string.Join("; ", sidecar.Calls));

        // The room empties and closes: Ready again, so that the fleet may scale the node down.
        var left = player.LeaveRoom();
        Assert.True(TestServer.PumpUntil([player], () => left.IsCompleted && sidecar.Count("POST", "/ready") == 2 && sidecar.Label("rooms") == "0", s_timeout),
            string.Join("; ", sidecar.Calls));

        // Back in a room, then SIGTERM: labelled draining, the room plays on to the deadline, then Shutdown.
        match = player.QuickMatch();
        Assert.True(TestServer.PumpUntil([player], () => match.IsCompleted && sidecar.Count("POST", "/allocate") == 2, s_timeout), string.Join("; ", sidecar.Calls));
        engine.Signal(SigTerm);
        Assert.True(TestServer.PumpUntil([player], () => sidecar.Label("draining") == "true", s_timeout), string.Join("; ", sidecar.Calls));
        Assert.Equal(0, sidecar.Count("POST", "/shutdown"));
        Assert.True(player.IsConnected);
        Assert.True(TestServer.PumpUntil([player], () => !player.IsConnected, s_timeout));
        Assert.Equal(DisconnectReason.ServerShuttingDown, player.DisconnectReason);
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(0, engine.ExitCode);

        var calls = sidecar.Calls;
        AssertOrdered(calls, "/ready", "/allocate", "/ready", "/allocate", "/shutdown");
        Assert.Equal("/shutdown", calls.Last(c => c.Status == 200).Path);
        Assert.Equal(1, sidecar.Count("POST", "/shutdown"));
        Assert.All(calls, c => Assert.Equal(200, c.Status));
        Assert.Contains("agones: Shutdown", engine.Output);
    }

    [Fact]
    public void A_failing_sidecar_is_logged_once_and_retried_and_the_node_keeps_serving()
    {
        using var sidecar = new FakeAgonesSidecar(AdminHttp.FreeTcpPort()) { Failing = true };
        var udpPort = EngineProcess.FreeUdpPort();
        using var engine = StartEngine(udpPort, sidecar);
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + udpPort, s_timeout), engine.Output + engine.Error);
        Assert.True(TestServer.WaitFor(() => sidecar.Calls.Count(c => c.Path == "/ready") >= 4, s_timeout), string.Join("; ", sidecar.Calls));

        // Refused all along, still serving players, and said so once per call, not once per attempt.
        using var player = new EngineClient();
        player.Connect(new IPEndPoint(IPAddress.Loopback, udpPort));
        Assert.True(player.WaitUntilConnected(s_timeout));
        Assert.False(engine.HasExited);
        Assert.Single(engine.Output.Split('\n'), l => l.Contains("agones: POST /ready: HTTP 503; retrying", StringComparison.Ordinal));

        sidecar.Failing = false;
        Assert.True(TestServer.PumpUntil([player], () => sidecar.Count("POST", "/ready") == 1 && engine.Output.Contains("agones: ready works again"), s_timeout), engine.Output);

        engine.Signal(SigTerm);
        Assert.True(TestServer.PumpUntil([player], () => !player.IsConnected, s_timeout));
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(0, engine.ExitCode);
        Assert.Equal(1, sidecar.Count("POST", "/shutdown"));
    }
}
