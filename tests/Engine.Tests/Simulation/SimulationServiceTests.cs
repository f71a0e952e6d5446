using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Wire;
using Engine.Protocol.Simulation;
using Engine.Server;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Shards;
using Engine.Server.Simulation;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Simulation;

/// <summary>The shard's simulation without a socket: every room steps every tick, and each room's snapshots fall on ticks of its own phase.</summary>
public class SimulationServiceTests
{
    [Fact]
    public void Rooms_spread_their_snapshots_over_the_ticks_each_at_its_snapshot_rate()
    {
        var options = new ServerOptions { TickRate = 60, SnapshotRate = 20, Insecure = true };
        var log = new OutputLog();
        var simulation = new SimulationService<RecordingOutput>(options, new ShardCounters(), new ShardHistograms(), new RecordingOutput(log));
        var directory = new RoomDirectory(maxRooms: 8);
        var rooms = new List<Room>();
        var players = new List<Engine.Server.Sessions.Session>();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(RoomStatus.Ok, directory.TryCreate($"room {i}", 0, 2, false, null, out var entry));
            var room = new Room(entry!, new MovementArenaMode(2, ArenaSettings.Default));
            var player = TestSessions.Open((uint)(i + 1), 0);
            Assert.Equal(0, room.Seat(player));
            rooms.Add(room);
            players.Add(player);
        }

        var now = 100_000_000L;
        Assert.Equal(0, simulation.DueTicks(now, out _));
        var roomsPerTick = new List<int>();
        for (long tick = 1; tick <= 60; tick++)
        {
            var before = log.Sent.Count;
            simulation.RunTick(rooms.ToArray(), tick, OverloadLevel.Normal, now += 16_667);
            roomsPerTick.Add(log.Sent.Count - before);
        }
        // A second: each room 20 snapshots; each tick a third of the rooms, never all six at once.
        Assert.All(players, p => Assert.Equal(20, log.Snapshots(p).Count));
        Assert.All(roomsPerTick, n => Assert.Equal(2, n));
    }

    [Theory]
    [InlineData("", DropReason.MalformedMessage)] // not even the snapshot acknowledgement
    [InlineData("80", DropReason.MalformedMessage)] // a truncated varint
    [InlineData("00 01 05 00 00", DropReason.TooShort)] // an input message shorter than count and sequence (5 bytes)
    [InlineData("00 02 05 00 00 00 01 02 03 04 05 06 07", DropReason.Truncated)] // two inputs announced, one carried
    [InlineData("00 01 00 00 00 00 7F 00 00 00 00 00 00", DropReason.MalformedMessage)] // sequence 0: sequences start at 1
    [InlineData("00 02 01 00 00 00 7F 00 00 00 00 00 00 7F 00 00 00 00 00 00", DropReason.MalformedMessage)] // newest 1 with 2 inputs would carry a 0
    public void A_short_or_invalid_input_message_is_dropped_alone_and_counted(string hex, DropReason reason)
    {
        var options = new ServerOptions { TickRate = 60, SnapshotRate = 20, Insecure = true };
        var counters = new ShardCounters();
        var simulation = new SimulationService<RecordingOutput>(options, counters, new ShardHistograms(), new RecordingOutput(new OutputLog()));
        var directory = new RoomDirectory(maxRooms: 1);
        Assert.Equal(RoomStatus.Ok, directory.TryCreate("inputs", 0, 2, false, null, out var entry));
        var room = new Room(entry!, new MovementArenaMode(2, ArenaSettings.Default));
        var player = TestSessions.Open(1, 0);
        Assert.Equal(0, room.Seat(player));

        simulation.Receive(player, MessageKind.Input, Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Equal(1, counters.Drops(reason));
        Assert.Equal(1, counters.TotalDrops());
        Assert.Equal(0, room.Inputs.Pending(0));

        // The first input of a room is sequence 1, and it is taken.
        simulation.Receive(player, MessageKind.Input, Convert.FromHexString("00010100000000000000000000"));
        Assert.Equal(1, room.Inputs.Pending(0));
        Assert.Equal(1, counters.TotalDrops());
    }
}
