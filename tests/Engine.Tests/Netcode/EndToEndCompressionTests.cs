using System.Diagnostics;
using Engine.Client;
using Engine.Tests.Server;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Netcode;

/// <summary>Delta snapshots of a crowded room against the full state, measured on the real server with 50 real clients moving.</summary>
public class EndToEndCompressionTests(ITestOutputHelper output)
{
    private const int Players = 50;

    [Fact]
    public void Fifty_moving_players_get_delta_snapshots_at_least_90_percent_smaller_than_the_full_state()
    {
        using var server = new TestServer(o => { o.TimeoutMs = 5000; o.MaxPlayersPerRoom = 64; });
        var clients = server.ConnectClients(Players, EndToEndDriver.Timeout);
        Assert.All(clients, c => Assert.True(c.IsConnected));
        var room = EndToEndDriver.Await(clients, clients[0].CreateRoom("crowd", Players));
        Assert.True(room.Succeeded);
        var joins = clients.Skip(1).Select(c => c.JoinRoom(room.RoomId)).ToArray();
        Assert.True(TestServer.PumpUntil(clients, () => joins.All(j => j.IsCompleted), EndToEndDriver.Timeout), "joins unanswered");
        Assert.All(joins, j => Assert.True(j.Result.Succeeded, j.Result.Status.ToString()));
        EndToEndDriver.WaitUntilPlaying(clients);

        // Everyone moves for 4 s; the window measured is the last 2.5 s, when all are well under way.
        var clock = Stopwatch.StartNew();
        long sentAtStart = 0, bytesAtStart = 0, sent = 0, bytes = 0;
        EndToEndDriver.Play(clients, clients, TimeSpan.FromSeconds(4), EndToEndDriver.Square, () =>
        {
            if (sentAtStart == 0 && clock.Elapsed > TimeSpan.FromSeconds(1.5))
            {
                (sentAtStart, bytesAtStart) = ServerSnapshots(server);
            }
        });
        (sent, bytes) = ServerSnapshots(server);
        sent -= sentAtStart;
        bytes -= bytesAtStart;

        // Server's average, less the 4-byte input acknowledgement in front of each payload.
        var serverAverage = (double)bytes / sent - 4;
        var full = EndToEndSpectatorTests.FullStateSize(clients[0].LatestFrame!);
        var stats = clients.Select(c => c.GetStats()).ToArray();
        var clientAverage = (double)stats.Sum(s => s.SnapshotBytes) / stats.Sum(s => s.SnapshotsApplied);
        var saving = 1 - serverAverage / full;
        output.WriteLine($"{Players} players, {clients[0].LatestFrame!.Count} in the latest frame: {sent} snapshots in the window, delta payload {serverAverage:F1} B on average (clients over the whole run: {clientAverage:F1} B), full state {full} B: {saving:P1} smaller");
        output.WriteLine($"corrections {stats.Sum(s => s.Corrections)}, mispredictions {stats.Sum(s => s.Mispredictions)}, dropped {stats.Sum(s => s.SnapshotsDropped)}, missing baseline {stats.Sum(s => s.SnapshotsMissingBaseline)}, " +
            $"partial {server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.PartialSnapshots))}, snapshots/s per client {stats.Average(s => s.SnapshotsPerSecond):F1}");
        Assert.Equal(Players, clients[0].LatestFrame!.Count);
        Assert.True(sent > Players * 20, $"only {sent} snapshots in the window");
        Assert.True(saving >= 0.90, $"delta snapshots average {serverAverage:F1} B against a {full} B full state: {saving:P1} smaller, short of 90%");

        // Players with the same view share an encoding: far fewer encodings than snapshots.
        var encodings = server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.SharedEncodings));
        var total = server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.SnapshotsSent));
        output.WriteLine($"{encodings} shared encodings for {total} snapshots");
        Assert.True(encodings * 4 < total, $"{encodings} encodings for {total} snapshots");
    }

    private static (long Sent, long Bytes) ServerSnapshots(TestServer server) =>
        (server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.SnapshotsSent)), server.Server.ShardCounters.Sum(c => Volatile.Read(ref c.SnapshotBytes)));
}
