using Engine.Protocol.Rooms;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Server.Snapshots;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Snapshots;

/// <summary>
/// <see cref="SnapshotService{TOutput}"/> without a socket: what each client receives decodes with
/// the SDK's decoder to the room's state; crowded rooms go by priority within the packet budget;
/// identical views share one encoding.
/// </summary>
public class SnapshotServiceTests
{
    private const int Cell = InterestGrid.CellSize;

    // The smallest payload a server may be configured with: a few players' full states fill it.
    private const int TinyPayload = ProtocolConstants.MinMaxPayload;

    [Fact]
    public void Every_client_decodes_the_rooms_state_tick_after_tick()
    {
        var h = new SnapshotHarness(players: 6, spectators: 1);
        for (var slot = 0; slot < 6; slot++)
        {
            h.Place(slot, slot * 3_000, -slot * 1_000);
        }
        for (uint tick = 3; tick <= 60; tick += 3)
        {
            h.Mode[(int)(tick % 6)].PositionX += 250; // someone moves each tick
            h.Mode[1].Yaw += 100;
            var headers = h.Send(tick);
            foreach (var session in h.Everyone)
            {
                Assert.False(headers[session].Partial);
                Assert.True(h.Decoded(session).ContentEquals(h.Frame(tick)), $"client {session.PlayerId} differs at tick {tick}");
                h.Acknowledge(session, tick);
            }
            Assert.True(tick == 3 || headers.Values.All(header => header.HasBaseline), "acknowledged clients get deltas");
        }
        for (var slot = 0; slot < 6; slot++)
        {
            Assert.Equal(h.Mode[slot], ArenaSnapshot.Read(h.Decoded(h.Players[0]), slot));
            Assert.Equal((int)h.Players[slot].PlayerId, h.Decoded(h.Spectators[0]).Get(slot, SnapshotField.Owner));
        }
        Assert.Equal(0, h.Counters.PartialSnapshots);
        Assert.Equal(20 * 7, h.Counters.SnapshotsSent);
    }

    [Fact]
    public void Players_with_identical_views_share_one_encoding()
    {
        var h = new SnapshotHarness(players: 20, spectators: 2);
        for (var slot = 0; slot < 20; slot++)
        {
            h.Place(slot, slot * 2_000, 0);
        }
        h.Send(3);
        Assert.Equal(1, h.Counters.SharedEncodings); // everyone holds nothing yet: one full state for all 22
        var bodies = h.Everyone.Select(s => Convert.ToHexString(h.Log.Snapshots(s)[^1].AsSpan(SnapshotMessage.PrefixSize))).Distinct();
        Assert.Single(bodies);

        h.Everyone.ToList().ForEach(s => h.Acknowledge(s, 3));
        h.Mode[4].PositionZ += 500;
        h.Send(6);
        Assert.Equal(2, h.Counters.SharedEncodings); // everyone on the view of tick 3

        // Five acknowledge tick 6, the rest are still on 3: two encodings, one per view.
        h.Players.Take(5).ToList().ForEach(s => h.Acknowledge(s, 6));
        h.Mode[7].PositionX -= 500;
        var headers = h.Send(9);
        Assert.Equal(4, h.Counters.SharedEncodings);
        Assert.Equal(6u, headers[h.Players[0]].BaselineTick);
        Assert.Equal(3u, headers[h.Players[5]].BaselineTick);
        Assert.All(h.Everyone, s => Assert.True(h.Decoded(s).ContentEquals(h.Frame(9))));
        Assert.Equal(3 * 22, h.Counters.SnapshotsSent);
    }

    [Fact]
    public void A_spectator_receives_the_whole_room()
    {
        var h = new SnapshotHarness(players: 12, spectators: 1);
        for (var slot = 0; slot < 12; slot++)
        {
            h.Place(slot, slot * 40_000, slot * -40_000); // far apart: interest would thin a player's view, not a spectator's
        }
        h.Send(3);
        var watched = h.Decoded(h.Spectators[0]);
        Assert.Equal(12, watched.Count);
        for (var slot = 0; slot < 12; slot++)
        {
            Assert.Equal(h.Mode[slot], ArenaSnapshot.Read(watched, slot));
            Assert.Equal((int)h.Players[slot].PlayerId, watched.Get(slot, SnapshotField.Owner));
        }
        Assert.Equal(RoomLimits.NoSlot, h.Spectators[0].Slot);
    }

    [Fact]
    public void Under_a_tiny_budget_a_players_own_slot_always_leads()
    {
        var h = new SnapshotHarness(players: 48, maxPayload: TinyPayload);
        for (var slot = 0; slot < 48; slot++)
        {
            h.Place(slot, (slot % 8) * 1_500, (slot / 8) * 1_500);
        }
        for (uint tick = 3; tick <= 30; tick += 3)
        {
            var headers = h.Send(tick); // the SDK's decoder refuses a snapshot without the player's own slot
            foreach (var player in h.Players)
            {
                Assert.True(headers[player].Partial);
                var decoded = h.Decoded(player);
                Assert.Equal(h.Mode[player.Slot], ArenaSnapshot.Read(decoded, player.Slot));
                Assert.InRange(decoded.Count, 2, 47);
            }
        }
        Assert.Equal(10 * 48, h.Counters.PartialSnapshots);
    }

    [Fact]
    public void Others_go_by_interest_weighted_priority_and_everyone_is_sent_in_turn()
    {
        const int players = 48;
        const int near = 8;
        var h = new SnapshotHarness(players, maxPayload: TinyPayload);
        for (var slot = 0; slot < players; slot++)
        {
            // The first few stand in the viewer's cell; the rest ten cells away (a tenth of the weight).
            h.Place(slot, slot <= near ? slot * 1_000 : 10 * Cell + (slot * 100), slot <= near ? 0 : 10 * Cell);
        }
        var viewer = h.Players[0];
        var sent = new int[players];
        var lastSent = new int[players];
        var longestWait = 0;
        const int snapshots = 100;
        for (uint i = 1; i <= snapshots; i++)
        {
            h.Send(3 * i); // never acknowledged: each snapshot is a partial full state, so the decoded frame shows what it held
            var decoded = h.Decoded(viewer);
            for (var slot = 1; slot < players; slot++)
            {
                if (decoded.IsPresent(slot))
                {
                    sent[slot]++;
                    longestWait = Math.Max(longestWait, (int)i - lastSent[slot]);
                    lastSent[slot] = (int)i;
                    Assert.Equal(0f, viewer.Priority[slot]); // sent: starts accumulating again
                }
                else
                {
                    Assert.True(viewer.Priority[slot] > 0, $"slot {slot} was left out with no priority");
                }
            }
        }
        var nearSent = sent.Skip(1).Take(near).ToArray();
        var farSent = sent.Skip(1 + near).ToArray();
        Assert.True(nearSent.Min() >= 2 * farSent.Max(), $"near players sent {nearSent.Min()}..{nearSent.Max()} times, far ones {farSent.Min()}..{farSent.Max()}");
        // A far player's priority grows a tenth as fast, so it waits about ten snapshots between sends, never much longer.
        Assert.InRange(longestWait, 2, 20);
        Assert.All(lastSent.Skip(1), last => Assert.True(last > snapshots - 20));
    }

    [Fact]
    public void Priority_accumulates_by_interest_and_orders_the_others_highest_first()
    {
        var h = new SnapshotHarness(players: 4);
        h.Place(0, 0, 0);
        h.Place(1, 4 * Cell, 0); // four cells away: a quarter
        h.Place(2, Cell / 2, Cell / 2); // the same cell: one
        h.Place(3, 0, 3 * Cell); // three cells away: a third
        var viewer = h.Players[0];
        ushort[] others = [1, 2, 3];

        SnapshotService<RecordingOutput>.OrderByPriority(h.Room, viewer, others);
        Assert.Equal([2, 3, 1], others);
        Assert.Equal([0f, 0.25f, 1f, 1f / 3], viewer.Priority);

        // Slots 2 and 3 were sent; slot 1 waited, and its priority grew past slot 3's.
        viewer.Priority[2] = viewer.Priority[3] = 0;
        SnapshotService<RecordingOutput>.OrderByPriority(h.Room, viewer, others);
        Assert.Equal([2, 1, 3], others);
        Assert.Equal([0f, 0.5f, 1f, 1f / 3], viewer.Priority);
    }
}
