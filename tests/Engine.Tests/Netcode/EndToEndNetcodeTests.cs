using System.Diagnostics;
using Engine.Client;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Tests.Server;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Netcode;

/// <summary>
/// Prediction, reconciliation and interpolation end to end: the real server with two shards and
/// real EngineClients over loopback, inputs at 60 Hz, snapshots at 20 Hz.
/// </summary>
public class EndToEndNetcodeTests(ITestOutputHelper output)
{
    /// <summary>A pass this much later than the last one (they come every millisecond or two) means the machine stalled the test.</summary>
    private static readonly TimeSpan s_stall = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Two_players_move_without_corrections_and_each_sees_the_other_follow_at_the_snapshot_rate()
    {
        using var server = new TestServer(o => o.TimeoutMs = 5000);
        var clients = server.ConnectClients(2, EndToEndDriver.Timeout);
        var a = clients[0];
        var b = clients[1];
        Assert.True(EndToEndDriver.Await(clients, a.QuickMatch()).Succeeded);
        Assert.True(EndToEndDriver.Await(clients, b.QuickMatch()).Succeeded);
        Assert.Equal(a.CurrentRoom!.Id, b.CurrentRoom!.Id);
        var idA = a.CurrentRoom.PlayerId;
        var idB = b.CurrentRoom.PlayerId;
        EndToEndDriver.WaitUntilPlaying(clients);
        Assert.True(TestServer.PumpUntil(clients, () => a.TryGetPlayerState(idB, out _) && b.TryGetPlayerState(idA, out _), EndToEndDriver.Timeout), "neither saw the other");
        Assert.True(b.TryGetPlayerState(idA, out var firstSeenOfA));

        var before = clients.Select(c => c.GetStats()).ToArray();
        var clock = Stopwatch.StartNew();
        long worstLagMm = 0;
        var samples = 0;
        var stalls = 0;
        long farthestSeenOfAMm = 0;
        // The lag is the netcode's only while the machine keeps up. After a stall (this thread's passes late, or
        // a's snapshots late because the server's were) b's prediction has run ahead of anything a could have
        // seen, so sampling resumes a while after it; the run goes on until it has enough samples.
        var sampleFrom = TimeSpan.FromMilliseconds(500);
        var lastPass = TimeSpan.Zero;
        var lastSnapshot = TimeSpan.Zero;
        a.SnapshotApplied += _ => lastSnapshot = clock.Elapsed;
        var played = EndToEndDriver.PlayUntil(clients, clients, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5) + EndToEndDriver.Timeout, EndToEndDriver.Square,
            () => samples > 50 && clients.All(c => c.GetStats().SnapshotsPerSecond is >= 15.0 and <= 25.0), () =>
        {
            var now = clock.Elapsed;
            if (now - lastPass > s_stall || now - lastSnapshot > 3 * s_stall)
            {
                stalls += now >= sampleFrom ? 1 : 0;
                sampleFrom = now + TimeSpan.FromMilliseconds(500);
            }
            lastPass = now;
            if (b.TryGetPlayerState(idA, out var aSeenByB))
            {
                farthestSeenOfAMm = Math.Max(farthestSeenOfAMm, EndToEndDriver.DistanceMm(firstSeenOfA, aSeenByB));
            }
            // Each sees the other a little in the past: at 6 m/s, 100 ms of delay plus up to one snapshot interval and the RTT is well under 2 m.
            if (now >= sampleFrom && a.TryGetPlayerState(idB, out var bSeenByA) && b.TryGetPlayerState(idB, out var bItself))
            {
                worstLagMm = Math.Max(worstLagMm, EndToEndDriver.DistanceMm(bSeenByA, bItself));
                samples++;
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var after = clients.Select(c => c.GetStats()).ToArray();

        // Then both stand still until each sees the other exactly where it stopped.
        var settled = EndToEndDriver.PlayUntil(clients, clients, TimeSpan.Zero, EndToEndDriver.Timeout, EndToEndDriver.Idle, () =>
            a.TryGetPlayerState(idB, out var bSeen) && b.TryGetPlayerState(idB, out var bOwn) && SamePlace(bSeen, bOwn)
            && b.TryGetPlayerState(idA, out var aSeen) && a.TryGetPlayerState(idA, out var aOwn) && SamePlace(aSeen, aOwn));

        for (var i = 0; i < clients.Count; i++)
        {
            var s = after[i];
            var rate = (s.SnapshotsApplied - before[i].SnapshotsApplied) / seconds;
            output.WriteLine($"client {i}: {rate:F1} snapshots/s, {s.InputsSent} inputs, {s.Mispredictions} mispredictions, {s.Corrections} corrections, " +
                $"rtt {s.RoundTripTime.TotalMilliseconds:F2} ms, loss {s.PacketLoss:P1}, up {s.BytesSentPerSecond:F0} B/s, down {s.BytesReceivedPerSecond:F0} B/s, " +
                $"snapshot avg {(double)s.SnapshotBytes / s.SnapshotsApplied:F1} B, dropped {s.SnapshotsDropped}, stale {s.SnapshotsStale}, unacked {s.UnacknowledgedInputs}");
            Assert.Equal(0, s.Corrections);
            Assert.Equal(0, s.Mispredictions);
            Assert.Equal(0, s.SnapshotsDropped);
            Assert.InRange(rate, 16.0, 22.0);
            Assert.InRange(s.SnapshotsPerSecond, 15.0, 25.0);
            Assert.True(s.InputsSent >= 150, $"only {s.InputsSent} inputs sent");
            Assert.True(s.LastAcknowledgedInput > 0);
            Assert.True(s.BytesSentPerSecond > 0 && s.BytesReceivedPerSecond > 0);
        }
        output.WriteLine($"worst lag of the interpolated view behind the player itself: {worstLagMm} mm over {samples} samples in {seconds:F1} s ({stalls} stalls left out)");
        Assert.True(played, $"{samples} samples of the lag, or a snapshot rate out of range, after {seconds:F1} s");
        Assert.True(samples > 50);
        Assert.InRange(worstLagMm, 1, 2_000);
        Assert.True(settled, "the interpolated views never caught up with where the players stopped");

        // b saw a move from where it first saw it (the square brings it back every 4 s, so the farthest, not the last).
        Assert.True(farthestSeenOfAMm > 1_000, "a never moved in b's view");
        Assert.Equal(0, a.GetStats().Corrections + b.GetStats().Corrections);
    }

    private static bool SamePlace(in PlayerState seen, in PlayerState actual) =>
        seen.PositionX == actual.PositionX && seen.PositionY == actual.PositionY && seen.PositionZ == actual.PositionZ
        && seen.VelocityX == actual.VelocityX && seen.VelocityZ == actual.VelocityZ;
}
