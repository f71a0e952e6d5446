using Engine.Client;
using Engine.Client.Netcode;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Snapshots;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Snapshots;

/// <summary>
/// One room's snapshots without a socket: a <see cref="SnapshotService{TOutput}"/> sending to a
/// recording output, and for every player and spectator the client SDK's own decoder
/// (<see cref="RoomNetcode"/>) reading what it was sent, as the client would.
/// </summary>
internal sealed class SnapshotHarness
{
    public const int TickRate = 60;

    private readonly Dictionary<Session, RoomNetcode> _clients = new();
    private readonly SnapshotService<RecordingOutput> _service;

    public SnapshotHarness(int players, int spectators = 0, int maxPayload = ProtocolConstants.DefaultMaxPayload)
    {
        var directory = new RoomDirectory(maxRooms: 1);
        Assert.Equal(RoomStatus.Ok, directory.TryCreate("snapshots", 0, players, false, null, out var entry));
        Mode = new PlacedMode(players);
        Room = new Room(entry!, Mode);
        _service = new SnapshotService<RecordingOutput>(TickRate, 20, Counters, new ShardHistograms(), new RecordingOutput(Log));
        for (var i = 0; i < players + spectators; i++)
        {
            var session = TestSessions.Open((uint)(1000 + i), NowUs, maxPayload);
            if (i < players)
            {
                Assert.Equal(i, Room.Seat(session));
                Players.Add(session);
            }
            else
            {
                Room.AddSpectator(session);
                Spectators.Add(session);
            }
            var info = new RoomInfo(Room.Id, "snapshots", players, session.Slot, session.PlayerId, session.IsSpectator, false, [], TickRate, 20);
            _clients[session] = new RoomNetcode(info, new ArenaSettings { TickRate = TickRate }, delayMs: 100, maxExtrapolationMs: 250, new NetcodeStats())
            {
                Epoch = session.RoomEpoch,
            };
        }
    }

    public PlacedMode Mode { get; }
    public Room Room { get; }
    public List<Session> Players { get; } = new();
    public List<Session> Spectators { get; } = new();
    public ShardCounters Counters { get; } = new();
    public OutputLog Log { get; } = new();
    public long NowUs { get; private set; } = 100_000_000;

    public IEnumerable<Session> Everyone => Players.Concat(Spectators);

    /// <summary>Puts the player of <paramref name="slot"/> at (<paramref name="x"/>, <paramref name="z"/>) millimetres, standing still.</summary>
    public void Place(int slot, int x, int z) => Mode[slot] = new PlayerState { PositionX = x, PositionZ = z, Flags = PlayerFlags.Grounded };

    /// <summary>
    /// The snapshot of <paramref name="tick"/>: each client gets exactly one and decodes it with the
    /// SDK's decoder (which also checks that a player's own slot is there and is theirs).
    /// </summary>
    public Dictionary<Session, SnapshotHeader> Send(uint tick)
    {
        var from = Log.Sent.Count;
        NowUs += 1_000_000 / 20;
        _service.BeginTick(OverloadLevel.Normal);
        _service.Send(Room, tick, NowUs);
        var headers = new Dictionary<Session, SnapshotHeader>();
        foreach (var session in Everyone)
        {
            var message = Assert.Single(Log.Snapshots(session, from));
            Assert.Equal(DropReason.None, SnapshotMessage.TryRead(message, out _, out var roomEpoch, out var snapshot));
            Assert.Equal(session.RoomEpoch, roomEpoch);
            Assert.Equal(DropReason.None, SnapshotHeader.TryRead(snapshot, out var header, out _));
            Assert.True(snapshot.Length <= SnapshotMessage.SnapshotBudget(session.Connection.MaxMessageSize), $"{snapshot.Length} bytes: over the budget");
            Assert.Equal(SnapshotOutcome.Applied, _clients[session].OnMessage(message, NowUs));
            headers[session] = header;
        }
        return headers;
    }

    /// <summary>
    /// The snapshot of <paramref name="tick"/> on a shard at <paramref name="level"/>: the clients
    /// that got one (each decodes it, as in <see cref="Send"/>); the others were deferred.
    /// </summary>
    public List<Session> SendAt(uint tick, OverloadLevel level)
    {
        var from = Log.Sent.Count;
        NowUs += 1_000_000 / 20;
        _service.BeginTick(level);
        _service.Send(Room, tick, NowUs);
        var served = new List<Session>();
        foreach (var session in Everyone)
        {
            var messages = Log.Snapshots(session, from).ToList();
            if (messages.Count == 0)
            {
                continue;
            }
            var message = Assert.Single(messages);
            Assert.Equal(SnapshotOutcome.Applied, _clients[session].OnMessage(message, NowUs));
            served.Add(session);
        }
        return served;
    }

    /// <summary>What the client holds after its newest snapshot.</summary>
    public SnapshotFrame Decoded(Session session) => _clients[session].Latest!;

    /// <summary>The client acknowledged the snapshot of <paramref name="tick"/> (as an input message's ack tells the server).</summary>
    public void Acknowledge(Session session, uint tick) => Assert.True(session.View!.Acknowledge(tick, Room.History, TickRate));

    /// <summary>The server's frame of <paramref name="tick"/>: the room's state then.</summary>
    public SnapshotFrame Frame(uint tick)
    {
        Assert.True(Room.History.TryGet(tick, out var frame));
        return frame;
    }
}
