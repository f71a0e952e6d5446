using System.Diagnostics;
using Engine.Client;
using Engine.Protocol.Simulation;
using Engine.Tests.Netcode;
using Engine.Tests.Server;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Client;

/// <summary>A game calls these every frame: once warm they must not allocate (no GC hitches from the SDK).</summary>
public class ClientAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void Update_inputs_snapshots_states_and_stats_allocate_nothing_in_steady_state()
    {
        using var server = new TestServer(o => o.TimeoutMs = 5000);
        var clients = server.ConnectClients(3, EndToEndDriver.Timeout).ToArray();
        var players = clients.Take(2).ToArray();
        var room = EndToEndDriver.Await(clients, players[0].CreateRoom("quiet", 4));
        Assert.True(EndToEndDriver.Await(clients, players[1].JoinRoom(room.RoomId)).Succeeded);
        Assert.True(EndToEndDriver.Await(clients, clients[2].Spectate(room.RoomId)).Succeeded);
        EndToEndDriver.WaitUntilPlaying(players);
        var ids = players.Select(p => p.CurrentRoom!.PlayerId).ToArray();

        long snapshots = 0;
        Run(clients, players, ids, TimeSpan.FromSeconds(1), ref snapshots); // warm up: JIT, tiering, first snapshots
        snapshots = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(clients, players, ids, TimeSpan.FromSeconds(1.5), ref snapshots);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated} bytes allocated over {snapshots} snapshots applied");
        Assert.True(snapshots > 60, $"only {snapshots} snapshots");
        Assert.Equal(0, allocated);
    }

    private static void Run(EngineClient[] clients, EngineClient[] players, uint[] ids, TimeSpan duration, ref long snapshots)
    {
        var tickTicks = Stopwatch.Frequency / 60;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long tick = 0;
        long sum = 0;
        Span<long> applied = stackalloc long[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            applied[i] = clients[i].GetStats().SnapshotsApplied;
        }
        while (Stopwatch.GetTimestamp() < end)
        {
            foreach (var client in clients)
            {
                client.Update();
            }
            while (Stopwatch.GetTimestamp() >= start + tick * tickTicks)
            {
                for (var i = 0; i < players.Length; i++)
                {
                    players[i].SendPlayerInput(EndToEndDriver.Square(i, tick));
                }
                tick++;
            }
            foreach (var client in clients)
            {
                foreach (var id in ids)
                {
                    if (client.TryGetPlayerState(id, out var state))
                    {
                        sum += state.PositionX;
                    }
                }
                sum += client.GetStats().BytesReceived;
            }
            Thread.Sleep(1);
        }
        for (var i = 0; i < clients.Length; i++)
        {
            snapshots += clients[i].GetStats().SnapshotsApplied - applied[i];
        }
        GC.KeepAlive(sum);
    }
}
