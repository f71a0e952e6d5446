using System.Diagnostics;
using System.Net;
using Engine.Client;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Tests.Admin;
using Engine.Tests.Netcode;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Smoke;

/// <summary>Draining the AOT binary with real clients on loopback: SIGTERM, POST /admin/drain, a second signal, SIGINT.</summary>
public class DrainSmokeTests
{
    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigUsr1 = 10;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    private sealed class Node(EngineProcess engine, int udpPort, string admin) : IDisposable
    {
        public EngineProcess Engine { get; } = engine;
        public string Admin { get; } = admin;
        public IPEndPoint EndPoint { get; } = new(IPAddress.Loopback, udpPort);

        public static Node Start(int drainSeconds)
        {
            var udpPort = EngineProcess.FreeUdpPort();
            var adminPort = AdminHttp.FreeTcpPort();
            var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", udpPort.ToString(), "--ping-interval-ms", "100", "--stats-interval-seconds", "0",
                "--admin-port", adminPort.ToString(), "--drain-timeout-seconds", drainSeconds.ToString());
            Assert.True(engine.WaitForOutput($"admin endpoint on http://127.0.0.1:{adminPort}", s_timeout), engine.Output + engine.Error);
            return new Node(engine, udpPort, $"http://127.0.0.1:{adminPort}");
        }

        /// <summary>A client connected and seated by quick match.</summary>
        public EngineClient Player()
        {
            var client = Connect();
            var match = EndToEndDriver.Await([client], client.QuickMatch());
            Assert.True(match.Succeeded, match.Status.ToString());
            return client;
        }

        public EngineClient Connect()
        {
            var client = new EngineClient();
            client.Connect(EndPoint);
            Assert.True(client.WaitUntilConnected(s_timeout), $"state {client.State}");
            return client;
        }

        /// <summary>The player is told "server shutting down" and the process exits 0, within <paramref name="limit"/> of <paramref name="since"/>.</summary>
        public void AssertStoppedAtOnce(EngineClient player, Stopwatch since, TimeSpan limit)
        {
            Assert.True(TestServer.PumpUntil([player], () => !player.IsConnected, s_timeout));
            Assert.Equal(DisconnectReason.ServerShuttingDown, player.DisconnectReason);
            Assert.True(Engine.WaitForExit(s_timeout));
            Assert.Equal(0, Engine.ExitCode);
            Assert.True(since.Elapsed < limit, $"took {since.Elapsed}");
        }

        public void Dispose() => Engine.Dispose();
    }


    [Fact]
    public void On_sigterm_rooms_play_on_newcomers_are_refused_and_at_the_deadline_players_are_told_why_and_it_exits_0()
    {
        using var node = Node.Start(drainSeconds: 3);
        using var player = node.Player();
        using var lobby = node.Connect();
        List<EngineClient> clients = [player, lobby];

        var draining = Stopwatch.StartNew();
        node.Engine.Signal(SigTerm);
        Assert.True(TestServer.PumpUntil(clients, () => node.Engine.Output.Contains("received SIGTERM: draining"), s_timeout), node.Engine.Output);
        var ready = AdminHttp.Get(node.Admin + "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("draining\n", ready.Body);
        Assert.Contains("\nengine_draining 1\n", AdminHttp.Get(node.Admin + "/metrics").Body);

        // A newcomer is refused with the reason; a player already here opens no room.
        using var late = new EngineClient();
        late.Connect(node.EndPoint);
        Assert.True(TestServer.PumpUntil([.. clients, late], () => late.State == ClientState.Disconnected, s_timeout));
        Assert.Equal(DisconnectReason.Rejected, late.DisconnectReason);
        Assert.Equal(RejectReason.Draining, late.RejectReason);
        Assert.Equal(RoomStatus.Draining, EndToEndDriver.Await(clients, lobby.CreateRoom("after-the-bell", 4)).Status);

        // The player keeps playing, and the stats line shows the state.
        var snapshots = player.SnapshotsReceived;
        Assert.True(TestServer.PumpUntil(clients, () => player.SnapshotsReceived >= snapshots + 10, s_timeout));
        node.Engine.Signal(SigUsr1);
        Assert.True(TestServer.PumpUntil(clients, () => node.Engine.Output.Contains("state=draining"), s_timeout), node.Engine.Output);
        Assert.True(player.IsConnected);

        // At the deadline everyone is told and the process exits 0.
        Assert.True(TestServer.PumpUntil(clients, () => !player.IsConnected && !lobby.IsConnected, s_timeout));
        Assert.Equal(DisconnectReason.ServerShuttingDown, player.DisconnectReason);
        Assert.Equal(DisconnectReason.ServerShuttingDown, lobby.DisconnectReason);
        Assert.True(node.Engine.WaitForExit(s_timeout));
        draining.Stop();
        Assert.Equal(0, node.Engine.ExitCode);
        Assert.InRange(draining.Elapsed.TotalSeconds, 2.8, 8);
        Assert.Contains("the drain deadline passed (1 player(s) still in rooms)", node.Engine.Output);
    }

    [Fact]
    public void A_drain_begun_on_the_admin_endpoint_ends_as_soon_as_the_last_player_leaves()
    {
        using var node = Node.Start(drainSeconds: 120);
        using var player = node.Player();
        List<EngineClient> clients = [player];

        var response = AdminHttp.Post(node.Admin + "/admin/drain");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Assert.StartsWith("draining: 1 player(s) in rooms;", response.Body);
        TestServer.PumpUntil(clients, () => false, TimeSpan.FromMilliseconds(600));
        Assert.False(node.Engine.HasExited);
        Assert.True(player.IsConnected);

        var left = Stopwatch.StartNew();
        Assert.True(EndToEndDriver.Await(clients, player.LeaveRoom()).Succeeded);
        node.AssertStoppedAtOnce(player, left, TimeSpan.FromSeconds(3));
        Assert.Contains("POST /admin/drain: draining", node.Engine.Output);
        Assert.Contains("no room has a player left", node.Engine.Output);
    }

    [Fact]
    public void A_second_sigterm_during_a_drain_stops_at_once_and_players_are_still_told_why()
    {
        using var node = Node.Start(drainSeconds: 120);
        using var player = node.Player();
        node.Engine.Signal(SigTerm);
        Assert.True(TestServer.PumpUntil([player], () => node.Engine.Output.Contains("received SIGTERM: draining"), s_timeout), node.Engine.Output);

        var stopwatch = Stopwatch.StartNew();
        node.Engine.Signal(SigTerm);
        node.AssertStoppedAtOnce(player, stopwatch, TimeSpan.FromSeconds(3));
        Assert.Contains("received SIGTERM again: shutting down now", node.Engine.Output);
    }

    [Fact]
    public void Sigint_stops_at_once_even_with_players_in_rooms()
    {
        using var node = Node.Start(drainSeconds: 120);
        using var player = node.Player();
        var stopwatch = Stopwatch.StartNew();
        node.Engine.Signal(SigInt);
        node.AssertStoppedAtOnce(player, stopwatch, TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("draining", node.Engine.Output);
    }

    [Theory]
    [InlineData("--drain-timeout-seconds", "-5", "drain-timeout-seconds: -5 is out of range (0..86400; 0 stops at once)")]
    [InlineData("--drain-timeout-seconds", "soon", "drain-timeout-seconds: 'soon' is not a whole number")]
    [InlineData("--agones-sdk-address", "localhost:9358", "agones-sdk-address: 'localhost:9358' is not an http:// address")]
    public void A_bad_drain_or_agones_option_exits_2_with_one_clear_message(string option, string value, string message)
    {
        EngineProcess.AssertRefusedConfiguration(message, option, value);
    }
}
