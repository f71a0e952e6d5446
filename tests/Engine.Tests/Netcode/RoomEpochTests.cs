using Engine.Client;
using Engine.Client.Netcode;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>
/// Ticks go on across a room change, so a late snapshot of the room a player left looks like the
/// next one of the room it entered: the SDK keeps only snapshots whose room epoch is that of the
/// room's Joined, whatever their tick.
/// </summary>
public class RoomEpochTests
{
    private const int Capacity = 4;
    private const int TickRate = 60;
    private const byte OwnSlot = 2;
    private const uint PlayerId = 77;

    [Fact]
    public void A_snapshot_of_another_room_epoch_is_dropped_as_foreign_and_changes_nothing()
    {
        var room = NewRoom(epoch: 5);

        Assert.Equal(SnapshotOutcome.Foreign, room.OnMessage(Message(tick: 900, epoch: 4, x: 1_000), nowUs: 1_000));
        Assert.Equal(SnapshotOutcome.Foreign, room.OnMessage(Message(tick: 901, epoch: 6, x: 2_000), nowUs: 2_000));
        Assert.Equal(0u, room.NewestTick);
        Assert.False(room.Seeded);

        Assert.Equal(SnapshotOutcome.Applied, room.OnMessage(Message(tick: 300, epoch: 5, x: 3_000), nowUs: 3_000));
        Assert.Equal(300u, room.NewestTick);
        Assert.True(room.Seeded);
        Assert.Equal(3_000, room.Predictor.State.PositionX);

        // The previous room's snapshot arrives late, with a newer tick: still not this room's.
        Assert.Equal(SnapshotOutcome.Foreign, room.OnMessage(Message(tick: 950, epoch: 4, x: 9_000), nowUs: 4_000));
        Assert.Equal(300u, room.NewestTick);
        Assert.Equal(3_000, room.Predictor.State.PositionX);
    }

    [Fact]
    public void A_message_shorter_than_its_prefix_is_malformed()
    {
        var room = NewRoom(epoch: 1);
        Assert.Equal(SnapshotOutcome.Malformed, room.OnMessage(new byte[SnapshotMessage.PrefixSize - 1], nowUs: 0));
        Assert.Equal(0u, room.NewestTick);
    }

    private static RoomNetcode NewRoom(byte epoch) =>
        new(new RoomInfo(1, "room", Capacity, OwnSlot, PlayerId, false, false, [], TickRate, 20), ArenaSettings.Default with { TickRate = TickRate },
            Interpolator.DefaultDelayMs, Interpolator.DefaultMaxExtrapolationMs, new NetcodeStats())
        {
            Epoch = epoch,
        };

    /// <summary>A full-state snapshot message where this player stands at <paramref name="x"/>.</summary>
    private static byte[] Message(uint tick, byte epoch, int x)
    {
        var frame = new SnapshotFrame(Capacity) { Tick = tick };
        ArenaSnapshot.Write(frame, OwnSlot, new PlayerState { PositionX = x, Flags = PlayerFlags.Grounded }, PlayerId);
        var encoded = new byte[512];
        var result = new DeltaEncoder(Capacity).Encode(frame, null, encoded, encoded.Length);
        var message = new byte[SnapshotMessage.Length(result.BytesWritten)];
        encoded.AsSpan(0, result.BytesWritten).CopyTo(SnapshotMessage.WritePrefix(message, 0, epoch));
        return message;
    }
}
