using Engine.Client;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Tests.Server;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Netcode;

/// <summary>A spectator end to end: it sees every player interpolated, acknowledges so it gets deltas, and cannot act.</summary>
public class EndToEndSpectatorTests(ITestOutputHelper output)
{
    [Fact]
    public void A_spectator_sees_both_players_move_gets_deltas_and_its_inputs_are_refused_and_dropped()
    {
        using var server = new TestServer(o => o.TimeoutMs = 5000);
        var clients = server.ConnectClients(3, EndToEndDriver.Timeout);
        var (a, b, watcher) = (clients[0], clients[1], clients[2]);
        var room = EndToEndDriver.Await(clients, a.CreateRoom("stands", 4));
        Assert.True(room.Succeeded);
        Assert.True(EndToEndDriver.Await(clients, b.JoinRoom(room.RoomId)).Succeeded);
        Assert.True(EndToEndDriver.Await(clients, watcher.Spectate(room.RoomId)).Succeeded);
        Assert.True(watcher.CurrentRoom!.IsSpectator);
        var players = new[] { a, b };
        var ids = players.Select(p => p.CurrentRoom!.PlayerId).ToArray();
        EndToEndDriver.WaitUntilPlaying(players);
        Assert.True(TestServer.PumpUntil(clients, () => ids.All(id => watcher.TryGetPlayerState(id, out _)), EndToEndDriver.Timeout), "the spectator never saw the players");
        var firstSeen = ids.Select(id => { watcher.TryGetPlayerState(id, out var s); return s; }).ToArray();

        // Client side: a spectator has no player to move.
        Assert.False(watcher.CanSendInput);
        Assert.False(watcher.SendPlayerInput(127, 0, 0, 0));
        Assert.False(watcher.TryGetLocalPlayerState(out _));
        Assert.Equal(1, watcher.GetStats().InputsRefused);

        EndToEndDriver.Play(clients, players, TimeSpan.FromSeconds(2), EndToEndDriver.Square);
        var settled = TestServer.PumpUntil(clients, () =>
        {
            foreach (var p in players)
            {
                p.SendPlayerInput(EndToEndDriver.Idle(0, 0));
            }
            Thread.Sleep(15);
            return players.Zip(ids).All(x => watcher.TryGetPlayerState(x.Second, out var seen) && x.First.TryGetLocalPlayerState(out var own)
                && seen.PositionX == own.PositionX && seen.PositionZ == own.PositionZ);
        }, EndToEndDriver.Timeout);
        Assert.True(settled, "the spectator's view never caught up with where the players stopped");
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(watcher.TryGetPlayerState(ids[i], out var lastSeen));
            Assert.True(EndToEndDriver.DistanceMm(firstSeen[i], lastSeen) > 1_000, $"player {i} never moved in the spectator's view");
        }

        // The spectator's acknowledgements let the server send it deltas: smaller than the whole room.
        var stats = watcher.GetStats();
        var full = FullStateSize(watcher.LatestFrame!);
        var average = (double)stats.SnapshotBytes / stats.SnapshotsApplied;
        output.WriteLine($"spectator: {stats.SnapshotsApplied} snapshots, {average:F1} B on average, full state {full} B, dropped {stats.SnapshotsDropped}");
        Assert.Equal(0, stats.SnapshotsDropped);
        Assert.True(average < full, $"spectator snapshots average {average:F1} B, the full state is {full} B: no deltas");

        // Server side: an input message from a spectator (a hacked client) is counted and dropped.
        Span<byte> message = stackalloc byte[InputMessage.MaxFramedSize];
        var length = InputMessage.WriteFramed(message, stats.LatestSnapshotTick, [new PlayerInput { Sequence = 1, Forward = 127 }]);
        Assert.True(watcher.SendGameMessage(MessageKind.Input, message[..length]));
        watcher.Flush();
        Assert.True(TestServer.PumpUntil(clients, () => server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.SpectatorInputs)) == 1, EndToEndDriver.Timeout), "the server did not count the spectator's input");
        Assert.All(players, p => Assert.Equal(0, p.GetStats().Corrections));
    }

    internal static int FullStateSize(SnapshotFrame frame)
    {
        var buffer = new byte[64 * 1024];
        var result = new DeltaEncoder(frame.Capacity).Encode(frame, null, buffer, buffer.Length);
        Assert.True(result.Complete);
        return result.BytesWritten;
    }
}
