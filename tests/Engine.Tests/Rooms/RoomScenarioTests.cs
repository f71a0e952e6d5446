using Engine.Client;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>
/// Room scenarios end to end: the real server with two shards, real clients over loopback. Only
/// what needs the whole path is here (moves between shards, pooling across them, the SDK's side of
/// rooms and chat); the room rules themselves are unit tests of the services (RoomServiceTests).
/// </summary>
public class RoomScenarioTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static T Await<T>(IReadOnlyList<EngineClient> clients, Task<T> task)
    {
        Assert.True(TestServer.PumpUntil(clients, () => task.IsCompleted, s_timeout), "no answer from the server");
        return task.Result;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // sealed: the keys move with the session, and packets forwarded under the old id still open
    public void A_player_moves_to_a_room_on_the_other_shard_keeping_the_session_and_every_packet(bool secure)
    {
        using var server = secure ? TestServer.Secure(o => o.TimeoutMs = 10_000) : new TestServer(o => o.TimeoutMs = 10_000);
        var clients = server.ConnectClients(2, s_timeout);
        var (mover, host) = SessionsOnDifferentShards(server, clients);
        var room = Await(clients, host.CreateRoom("elsewhere", 4));
        Assert.True(room.Succeeded);
        var hostShard = (byte)host.ConnectionId;
        var oldId = mover.ConnectionId;

        // A numbered stream of echoed messages runs across the move; each must come back exactly once.
        var echoed = new List<int>();
        mover.MessageReceived += payload => echoed.Add(BitConverter.ToInt32(payload));
        var sent = 0;
        var join = mover.JoinRoom(room.RoomId);
        var deadline = DateTime.UtcNow + s_timeout;
        while ((!join.IsCompleted || sent < 400) && DateTime.UtcNow < deadline)
        {
            if (sent < 400 && mover.Send(BitConverter.GetBytes(sent)))
            {
                sent++;
            }
            mover.Flush();
            host.Update();
            mover.Update();
            // About 1,000 datagrams a second, 20 times a game's input rate: packets forwarded under the
            // old id may arrive after newer ones sent under the new id, and a receiver accepts up to 32
            // packets late (the replay window); a flood from a test loop on a loaded machine could
            // reorder more than that, which is the window's rule, not the move's.
            Thread.Sleep(sent % 2 == 0 ? 1 : 0);
        }
        Assert.True(Await(clients, join).Succeeded);
        Assert.True(TestServer.PumpUntil(clients, () => echoed.Count >= sent, s_timeout),
            $"{echoed.Count} of {sent} echoed; stale drops {server.Server.ShardCounters.Sum(c => c.Drops(DropReason.Stale))}, duplicates {server.Server.ShardCounters.Sum(c => c.Drops(DropReason.Duplicate))}");
        Assert.Equal(Enumerable.Range(0, sent), echoed.Order());

        Assert.NotEqual(oldId, mover.ConnectionId);
        Assert.Equal(hostShard, (byte)mover.ConnectionId);
        Assert.True(mover.IsConnected);
        Assert.Equal(room.RoomId, mover.CurrentRoom!.Id);
        Assert.Equal(1, server.Server.ShardCounters.Sum(c => c.SessionsMovedAway));
        Assert.Equal(0, server.Server.ShardCounters.Sum(c => c.Drops(DropReason.AuthFailed)));
        Assert.True(TestServer.PumpUntil(clients, () => host.GetRoomPlayers().Count == 2, s_timeout));
    }

    [Fact]
    public void Sessions_closed_on_the_shard_of_their_room_are_reused_by_players_admitted_on_the_other()
    {
        using var server = new TestServer(o => o.TimeoutMs = 10_000);
        var clients = server.ConnectClients(2, s_timeout);
        var (_, host) = SessionsOnDifferentShards(server, clients);
        var room = Await(clients, host.CreateRoom("downtown", 4));
        Assert.True(room.Succeeded);
        var roomShard = (byte)host.ConnectionId;
        var created = server.Server.SessionPool.Created;

        // Each visitor admitted on the other shard moves to the room and leaves from there: its
        // session is closed on the room's shard. One admitted on the room's shard stays, which
        // makes that shard the busier, so the next visitors are admitted on the other.
        var moved = 0;
        var stayed = 0;
        for (var round = 0; round < 12; round++)
        {
            var visitor = server.ConnectClients(1, s_timeout)[0];
            if ((byte)visitor.ConnectionId == roomShard)
            {
                clients.Add(visitor);
                stayed++;
                continue;
            }
            moved++;
            var pair = new List<EngineClient>(clients) { visitor };
            Assert.True(Await(pair, visitor.JoinRoom(room.RoomId)).Succeeded);
            Assert.Equal(roomShard, (byte)visitor.ConnectionId);
            visitor.Disconnect();
            Assert.True(TestServer.WaitFor(() => server.Server.SessionCount == clients.Count(c => c.IsConnected), s_timeout));
            visitor.Dispose();
        }

        Assert.True(moved >= 6, $"only {moved} of 12 visitors were admitted away from the room's shard");
        // Those who stayed needed sessions of their own, the movers one at most between them: the rest came back from the pool.
        Assert.InRange(server.Server.SessionPool.Created - created, 0, stayed + 1);
    }

    [Fact]
    public void A_closed_room_is_reused_by_the_next_room_of_its_size_and_starts_clean()
    {
        using var server = new TestServer(o => { o.Shards = 1; o.EmptyRoomGraceMs = 50; o.TimeoutMs = 10_000; });
        var clients = server.ConnectClients(2, s_timeout);
        for (var round = 0; round < 4; round++)
        {
            var created = Await(clients, clients[0].CreateRoom($"round {round}", 4));
            Assert.True(created.Succeeded, created.Status.ToString());
            Assert.True(Await(clients, clients[1].JoinRoom(created.RoomId)).Succeeded);
            Assert.True(TestServer.PumpUntil(clients, () => clients.All(c => c.GetRoomPlayers().Count == 2), s_timeout));
            // Snapshots flow in the reopened room from its own first tick.
            var snapshots = clients[1].SnapshotsReceived;
            Assert.True(TestServer.PumpUntil(clients, () => clients[1].SnapshotsReceived >= snapshots + 3, s_timeout), "no snapshots in the room");
            foreach (var client in clients)
            {
                Assert.True(Await(clients, client.LeaveRoom()).Succeeded);
            }
            Assert.True(TestServer.WaitFor(() => server.Server.RoomCount == 0, s_timeout), "the empty room was not closed");
        }
        Assert.Equal(1, server.Server.RoomsAllocated);
    }

    [Fact]
    public void A_player_who_drops_gets_the_kept_slot_back_with_the_resume_token()
    {
        using var server = new TestServer(o => { o.TimeoutMs = 500; o.ReconnectWindowMs = 20_000; });
        var clients = server.ConnectClients(2, s_timeout);
        var room = Await(clients, clients[0].CreateRoom("keep", 4));
        Assert.True(Await(clients, clients[1].JoinRoom(room.RoomId)).Succeeded);
        var dropped = clients[1].CurrentRoom!;
        var left = new List<RoomLeaveReason>();
        clients[0].PlayerLeft += (_, reason) => left.Add(reason);

        // The player vanishes without a word; the server times the session out and keeps the slot.
        Assert.True(TestServer.PumpUntil([clients[0]], () => left.Count == 1, s_timeout));
        Assert.Equal(RoomLeaveReason.TimedOut, left[0]);

        using var back = new EngineClient();
        back.Connect(server.EndPoint);
        Assert.True(back.WaitUntilConnected(s_timeout));
        var joined = new List<RoomPlayer>();
        clients[0].PlayerJoined += joined.Add;
        var resumed = Await([clients[0], back], back.Resume(dropped.ResumeToken));
        Assert.True(resumed.Succeeded, resumed.Status.ToString());
        Assert.Equal(dropped.Slot, back.CurrentRoom!.Slot);
        Assert.Equal(dropped.PlayerId, back.CurrentRoom.PlayerId);
        Assert.True(TestServer.PumpUntil([clients[0], back], () => joined.Count == 1, s_timeout));
        Assert.Equal(new RoomPlayer(dropped.PlayerId, dropped.Slot), joined[0]);

        // A token works once.
        using var thief = new EngineClient();
        thief.Connect(server.EndPoint);
        Assert.True(thief.WaitUntilConnected(s_timeout));
        Assert.Equal(RoomStatus.InvalidToken, Await([thief], thief.Resume(dropped.ResumeToken)).Status);
    }

    [Fact]
    public void Too_many_sessions_from_one_address_are_refused_with_a_reason()
    {
        using var server = new TestServer(o => o.MaxSessionsPerAddress = 2);
        var clients = server.ConnectClients(2, s_timeout);
        using var third = new EngineClient();
        third.Connect(server.EndPoint);
        Assert.False(third.WaitUntilConnected(s_timeout));
        Assert.Equal(RejectReason.TooManySessionsFromAddress, third.RejectReason);
    }

    [Fact]
    public void The_SDK_lists_rooms_and_carries_chat_and_its_refusals()
    {
        using var server = new TestServer(o => o.ChatBurst = 1);
        var clients = server.ConnectClients(3, s_timeout);
        var room = Await(clients, clients[0].CreateRoom("talk", 2));
        Assert.True(room.Succeeded);
        Assert.True(Await(clients, clients[1].JoinRoom("talk")).Succeeded);
        Assert.True(Await(clients, clients[2].Spectate(room.RoomId)).Succeeded);
        var listed = Assert.Single(Await(clients, clients[2].ListRooms()).Rooms);
        Assert.Equal((room.RoomId, "talk", 2, 2, 1), (listed.Id, listed.Name, listed.Players, listed.Capacity, listed.Spectators));

        var heard = new List<string>();
        var refused = new List<RoomStatus>();
        clients[2].ChatReceived += (_, text) => heard.Add(text);
        clients[0].ChatRefused += r => refused.Add(r.Status);
        Assert.False(clients[0].SendChat(new string('a', RoomLimits.MaxChatBytes + 1))); // refused before it is sent
        Assert.True(clients[0].SendChat("bell\u0007 ok"));
        Assert.True(clients[0].SendChat("over the burst"));
        Assert.True(TestServer.PumpUntil(clients, () => heard.Count == 1 && refused.Count == 1, s_timeout));
        Assert.Equal("bell ok", heard[0]);
        Assert.Equal(RoomStatus.RateLimited, refused[0]);
    }

    /// <summary>Two connected clients whose sessions live on different shards.</summary>
    private static (EngineClient, EngineClient) SessionsOnDifferentShards(TestServer server, List<EngineClient> clients)
    {
        while ((byte)clients[0].ConnectionId == (byte)clients[1].ConnectionId)
        {
            clients.AddRange(server.ConnectClients(1, s_timeout));
            var other = clients.Last();
            if ((byte)other.ConnectionId != (byte)clients[0].ConnectionId)
            {
                return (clients[0], other);
            }
        }
        return (clients[0], clients[1]);
    }
}
