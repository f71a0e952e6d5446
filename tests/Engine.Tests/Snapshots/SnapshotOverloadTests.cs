using Engine.Protocol.Wire;
using Engine.Server.Overload;
using Engine.Server.Sessions;
using Engine.Server.Snapshots;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Snapshots;

/// <summary>
/// The overload policy of <see cref="SnapshotService{TOutput}"/>: over budget, the clients furthest
/// behind get snapshots less often, spread over the ticks, and the encodes made for one client
/// alone are capped per tick however many clients fall behind, in turns, so nobody is starved.
/// </summary>
public class SnapshotOverloadTests
{
    [Fact]
    public void Over_budget_lagging_clients_get_every_second_snapshot_far_over_every_fourth_and_the_others_every_second_spread_over_the_ticks()
    {
        var h = new SnapshotHarness(players: 8);
        for (var slot = 0; slot < 8; slot++)
        {
            h.Place(slot, slot * 2_000, 0);
        }
        var keepingUp = h.Players.Take(4).ToList();
        var lagging = h.Players.Skip(4).ToList();
        h.Send(3);
        foreach (var session in h.Players)
        {
            h.Acknowledge(session, 3); // the lagging ones never acknowledge again
        }

        // Until their view is a quarter of a second (15 ticks) old, the lagging clients are not behind yet.
        var served = new Dictionary<Session, int>();
        for (uint tick = 6; tick <= 18; tick += 3)
        {
            Assert.Equal(8, h.SendAt(tick, OverloadLevel.OverBudget).Count);
            Acknowledge(h, keepingUp, tick);
        }
        foreach (var (level, every) in new[] { (OverloadLevel.OverBudget, 2), (OverloadLevel.FarOver, 4) })
        {
            served.Clear();
            var first = level == OverloadLevel.OverBudget ? 21u : 21u + (8 * 3);
            for (var tick = first; tick < first + (8 * 3); tick += 3)
            {
                var got = h.SendAt(tick, level);
                // Spread: on each tick the same share of each group is served, never none, never all.
                Assert.Equal(keepingUp.Count / (level == OverloadLevel.FarOver ? 2 : 1), got.Count(keepingUp.Contains));
                Assert.Equal(lagging.Count / every, got.Count(lagging.Contains));
                foreach (var session in got)
                {
                    served[session] = served.GetValueOrDefault(session) + 1;
                }
                Acknowledge(h, got.Where(keepingUp.Contains), tick);
            }
            Assert.All(keepingUp, s => Assert.Equal(level == OverloadLevel.FarOver ? 4 : 8, served[s]));
            Assert.All(lagging, s => Assert.Equal(8 / every, served[s]));
        }
        Assert.Equal((8 * 4 / 2) + (8 * 4 * 3 / 4) + (8 * 4 / 2), h.Counters.SnapshotsDeferred);

        // Back to normal: everyone, every tick.
        Assert.Equal(8, h.SendAt(21 + (16 * 3), OverloadLevel.Normal).Count);
    }

    [Fact]
    public void Over_budget_the_encodes_for_one_client_alone_are_capped_per_tick_and_taken_in_turns()
    {
        // A room whose snapshots never fit the smallest payload: every view becomes the client's own,
        // and every client needs an encode of its own each tick, the most a room can cost.
        const int Players = 100;
        var h = new SnapshotHarness(players: Players, maxPayload: ProtocolConstants.MinMaxPayload);
        for (var slot = 0; slot < Players; slot++)
        {
            h.Place(slot, slot * 700, slot * 300);
        }
        uint tick = 3;
        for (; tick <= 30; tick += 3)
        {
            MoveEveryone(h);
            Assert.Equal(Players, h.SendAt(tick, OverloadLevel.Normal).Count);
            AcknowledgeAll(h, tick);
        }
        // Unbounded: nearly every client costs an encode of its own every tick.
        Assert.True(h.Counters.PartialSnapshots > 0);
        Assert.True(h.Counters.PlayerEncodings >= 9 * Players, $"{h.Counters.PlayerEncodings} lone encodes in 10 ticks");

        foreach (var (level, allowance) in new[] { (OverloadLevel.OverBudget, SnapshotService<RecordingOutput>.OverBudgetPlayerEncodes), (OverloadLevel.FarOver, SnapshotService<RecordingOutput>.OverBudgetPlayerEncodes / 4) })
        {
            var lastServed = h.Players.ToDictionary(p => p, _ => tick);
            var longestWait = 0u;
            for (var round = 0; round < 20; round++, tick += 3)
            {
                var before = h.Counters.PlayerEncodings;
                MoveEveryone(h);
                var got = h.SendAt(tick, level);
                Assert.InRange(h.Counters.PlayerEncodings - before, 1, allowance);
                foreach (var session in got)
                {
                    longestWait = Math.Max(longestWait, tick - lastServed[session]);
                    lastServed[session] = tick;
                }
                AcknowledgeAll(h, tick, got);
            }
            // In turns: within the rounds every client was served, none waited much longer than its turn.
            var turnTicks = (uint)(3 * ((Players + allowance - 1) / allowance + 1));
            Assert.All(h.Players, p => Assert.True(tick - lastServed[p] <= turnTicks + 3, $"client {p.Slot} last served at {lastServed[p]}, now {tick}"));
            Assert.True(longestWait <= turnTicks + 3, $"a client waited {longestWait} ticks");
        }
        Assert.True(h.Counters.ViewsReset > 0);
    }

    private static void MoveEveryone(SnapshotHarness h)
    {
        for (var slot = 0; slot < h.Players.Count; slot++)
        {
            h.Mode[slot].PositionX += 500 + slot;
            h.Mode[slot].Yaw += 300;
        }
    }

    private static void Acknowledge(SnapshotHarness h, IEnumerable<Session> sessions, uint tick)
    {
        foreach (var session in sessions)
        {
            h.Acknowledge(session, tick);
        }
    }

    /// <summary>Clients acknowledge what they decoded (only those <paramref name="served"/>, when given).</summary>
    private static void AcknowledgeAll(SnapshotHarness h, uint tick, List<Session>? served = null)
    {
        foreach (var session in served ?? h.Players)
        {
            session.View!.Acknowledge(tick, h.Room.History, SnapshotHarness.TickRate);
        }
    }
}
