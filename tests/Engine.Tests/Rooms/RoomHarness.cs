using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Simulation;
using Engine.Server;
using Engine.Server.Fleet;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Simulation;
using Engine.Tests.Sessions;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>
/// The room services of a server's shards without sockets: one <see cref="RoomService{TOutput}"/>
/// per shard over one room directory and one shard directory, a recording output, and a clock the
/// test moves. Requests are built with the protocol's writers, as the client SDK builds them.
/// </summary>
internal sealed class RoomHarness
{
    private readonly Dictionary<Session, int> _shardOf = new();
    private readonly byte[] _request = new byte[1024];
    private uint _nextPlayerId;
    private ushort _nextRequestId;

    /// <param name="fleet">Each shard's side of moves between nodes (a secure server's); none by default.</param>
    public RoomHarness(Action<ServerOptions>? configure = null, int shards = 1, Func<int, FleetMoves>? fleet = null)
    {
        Options = new ServerOptions { Insecure = true, Shards = shards };
        configure?.Invoke(Options);
        Assert.Empty(Options.Validate());
        Directory = new RoomDirectory(Options.MaxRooms);
        Shards = new ShardDirectory(shards, Options.MaxSessions, Options.MaxSessionsPerAddress);
        var arena = new ArenaSettings { TickRate = Options.TickRate };
        Counters = Enumerable.Range(0, shards).Select(_ => new ShardCounters()).ToArray();
        Services = Enumerable.Range(0, shards)
            .Select(i => new RoomService<RecordingOutput>(i, Options, Directory, Shards, capacity => new MovementArenaMode(capacity, arena), Counters[i], new RecordingOutput(Log), fleet?.Invoke(i)))
            .ToArray();
    }

    public ServerOptions Options { get; }
    public RoomDirectory Directory { get; }
    public ShardDirectory Shards { get; }
    public ShardCounters[] Counters { get; }
    public RoomService<RecordingOutput>[] Services { get; }
    public OutputLog Log { get; } = new();

    /// <summary>The test's clock; starts well after zero, as a monotonic clock does.</summary>
    public long NowUs { get; set; } = 100_000_000;

    public void Advance(TimeSpan time) => NowUs += (long)(time.TotalMilliseconds * 1000);

    /// <summary>A new session on <paramref name="shard"/>, with a fresh player id (and the connect token's, when given).</summary>
    public Session Connect(int shard = 0, PeerAddress? address = null, ulong tokenPlayerId = 0)
    {
        var session = TestSessions.Open(++_nextPlayerId, NowUs, address: address, tokenPlayerId: tokenPlayerId);
        _shardOf[session] = shard;
        return session;
    }

    public int ShardOf(Session session) => _shardOf[session];

    public RoomService<RecordingOutput> ServiceOf(Session session) => Services[_shardOf[session]];

    /// <summary>Delivers a reliable message to the session's shard; returns what the session was sent because of it.</summary>
    public List<RoomReply> Send(Session session, ReadOnlySpan<byte> message)
    {
        var from = Log.Sent.Count;
        ServiceOf(session).Receive(session, message, NowUs);
        return Log.Reliable(session, from);
    }

    /// <summary>Sends a request written by <paramref name="write"/> under a new request id; returns its id and what the session was sent because of it.</summary>
    public (ushort RequestId, List<RoomReply> Replies) Ask(Session session, Func<byte[], ushort, int> write)
    {
        var id = ++_nextRequestId;
        var length = write(_request, id);
        Assert.True(length > 0, "the request did not fit");
        return (id, Send(session, _request.AsSpan(0, length)));
    }

    /// <summary>Sends a request and returns the one answer to it (a result, a joined room or a room list).</summary>
    public RoomReply Request(Session session, Func<byte[], ushort, int> write)
    {
        var (id, replies) = Ask(session, write);
        var answer = Assert.Single(replies, r => r.IsAnswer);
        Assert.Equal(id, answer.RequestId);
        return answer;
    }

    /// <summary>Sends a request for a room on another shard: no answer yet, the session left its room and a move is requested.</summary>
    public (ushort RequestId, List<RoomReply> Replies, RequestedMove Move) AskToMove(Session session, Func<byte[], ushort, int> write)
    {
        var (id, replies) = Ask(session, write);
        Assert.DoesNotContain(replies, r => r.IsAnswer);
        Assert.Null(session.Room);
        var move = PendingMove();
        Assert.Equal(session, move.Session);
        Assert.Equal(id, move.Join.RequestId);
        return (id, replies, move);
    }

    public RoomReply Create(Session session, string name, int capacity, bool isPrivate = false, string password = "") =>
        Create(session, Encoding.UTF8.GetBytes(name), capacity, isPrivate, Encoding.UTF8.GetBytes(password));

    public RoomReply Create(Session session, byte[] name, int capacity, bool isPrivate, byte[] password) =>
        Request(session, (buffer, id) => RoomMessages.CreateRoom(buffer, id, name, (byte)capacity, isPrivate, password));

    public RoomReply Join(Session session, uint roomId, string password = "", bool spectate = false) =>
        Request(session, (buffer, id) => RoomMessages.JoinRoom(buffer, id, roomId, default, Encoding.UTF8.GetBytes(password), spectate));

    public RoomReply JoinByName(Session session, string name, string password = "") =>
        Request(session, (buffer, id) => RoomMessages.JoinRoom(buffer, id, 0, Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(password), spectate: false));

    public RoomReply Spectate(Session session, uint roomId) => Join(session, roomId, spectate: true);

    public RoomReply QuickMatch(Session session, int capacity = 0) =>
        Request(session, (buffer, id) => RoomMessages.QuickMatch(buffer, id, (byte)capacity));

    public RoomReply LeaveRoom(Session session) => Request(session, (buffer, id) => RoomMessages.LeaveRoom(buffer, id));

    public RoomReply Resume(Session session, byte[] token) => Request(session, (buffer, id) => RoomMessages.Resume(buffer, id, token));

    public RoomReply List(Session session, int page = 0, int pageSize = RoomLimits.MaxPageSize, bool onlyJoinable = false, string filter = "") =>
        Request(session, (buffer, id) => RoomMessages.ListRooms(buffer, id, (ushort)page, (byte)pageSize, onlyJoinable, Encoding.UTF8.GetBytes(filter)));

    /// <summary>Sends a chat line; returns what the sender was sent because of it (its own line echoed, or a refusal).</summary>
    public List<RoomReply> Chat(Session session, byte[] text)
    {
        var length = RoomMessages.Chat(_request, text);
        Assert.True(length > 0);
        return Send(session, _request.AsSpan(0, length));
    }

    public List<RoomReply> Chat(Session session, string text) => Chat(session, Encoding.UTF8.GetBytes(text));

    /// <summary>A session that created (or joined) a room of <paramref name="capacity"/>, and the room's id.</summary>
    public (Session Host, uint RoomId) Host(string name, int capacity = 4, int shard = 0)
    {
        var host = Connect(shard);
        var created = Create(host, name, capacity);
        Assert.Equal(RoomOp.Joined, created.Op);
        return (host, created.RoomId);
    }

    /// <summary>A room with its host and one guest (on <paramref name="shard"/>).</summary>
    public (Session Host, Session Guest, uint RoomId) HostWithGuest(string name, int capacity = 4, int shard = 0)
    {
        var (host, roomId) = Host(name, capacity, shard);
        return (host, Fill(roomId, 1)[0], roomId);
    }

    /// <summary>Where the log stands now: pass it to <see cref="Heard"/> for what was sent from here on.</summary>
    public int Mark => Log.Sent.Count;

    /// <summary>New sessions that each joined <paramref name="roomId"/> (on its shard).</summary>
    public List<Session> Fill(uint roomId, int count)
    {
        var shard = Directory.Find(roomId)!.Shard;
        return Enumerable.Range(0, count).Select(_ =>
        {
            var player = Connect(shard);
            Assert.Equal(RoomOp.Joined, Join(player, roomId).Op);
            return player;
        }).ToList();
    }

    /// <summary>The one move requested so far and not yet completed; completing it is the test's choice.</summary>
    public RequestedMove PendingMove()
    {
        var move = Assert.Single(Log.Moves);
        Log.Moves.Clear();
        return move;
    }

    /// <summary>What the target shard does with a move that reached it: the session arrives and is seated.</summary>
    public List<RoomReply> Arrive(in RequestedMove move)
    {
        _shardOf[move.Session] = move.Shard;
        var from = Log.Sent.Count;
        Services[move.Shard].Arrive(move.Session, move.Join, NowUs);
        return Log.Reliable(move.Session, from);
    }

    /// <summary>The session's connection timed out, as the shard tells the room service.</summary>
    public void TimeOut(Session session) => ServiceOf(session).Leave(session, RoomLeaveReason.TimedOut, NowUs);

    public void RunTimers()
    {
        foreach (var service in Services)
        {
            service.RunTimers(NowUs);
        }
    }

    /// <summary>Messages <paramref name="session"/> was sent since position <paramref name="from"/> of the log, of one kind.</summary>
    public List<RoomReply> Heard(Session session, int from, RoomOp op) => Log.Reliable(session, from).Where(r => r.Op == op).ToList();
}
