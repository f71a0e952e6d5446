using Engine.Client;
using Engine.Protocol.Rooms;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>Room scenarios end to end: the real server with two shards, real clients over loopback.</summary>
public class RoomScenarioTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static T Await<T>(IReadOnlyList<EngineClient> clients, Task<T> task)
    {
        Assert.True(TestServer.PumpUntil(clients, () => task.IsCompleted, s_timeout), "no answer from the server");
        return task.Result;
    }

    [Fact]
    public void A_private_room_is_refused_without_the_right_password_and_is_not_listed()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(3, s_timeout);
        var created = Await(clients, clients[0].CreateRoom("vault", 4, isPrivate: true, password: "s3cret"));
        Assert.True(created.Succeeded);

        Assert.Equal(RoomStatus.WrongPassword, Await(clients, clients[1].JoinRoom(created.RoomId, "guess")).Status);
        Assert.Equal(RoomStatus.WrongPassword, Await(clients, clients[1].JoinRoom("vault")).Status);
        Assert.Null(clients[1].CurrentRoom);
        Assert.True(Await(clients, clients[2].JoinRoom("vault", "s3cret")).Succeeded);
        Assert.Equal(created.RoomId, clients[2].CurrentRoom!.Id);

        var list = Await(clients, clients[1].ListRooms());
        Assert.DoesNotContain(list.Rooms, r => r.Id == created.RoomId);
    }

    [Fact]
    public void Room_names_capacities_and_duplicates_are_refused_with_reasons()
    {
        using var server = new TestServer(o => { o.MaxPlayersPerRoom = 8; o.DefaultRoomCapacity = 4; });
        var clients = server.ConnectClients(2, s_timeout);
        Assert.Equal(RoomStatus.InvalidName, Await(clients, clients[0].CreateRoom("", 4)).Status);
        Assert.Equal(RoomStatus.InvalidName, Await(clients, clients[0].CreateRoom("tab\there", 4)).Status);
        Assert.Equal(RoomStatus.InvalidName, Await(clients, clients[0].CreateRoom(new string('x', 33), 4)).Status);
        Assert.Equal(RoomStatus.InvalidCapacity, Await(clients, clients[0].CreateRoom("big", 9)).Status);
        Assert.True(Await(clients, clients[0].CreateRoom("arena", 2)).Succeeded);
        Assert.Equal(RoomStatus.NameTaken, Await(clients, clients[1].CreateRoom("ARENA", 2)).Status);
        Assert.Equal(RoomStatus.NotFound, Await(clients, clients[1].JoinRoom(999_999)).Status);
    }

    [Fact]
    public void Quick_match_fills_the_fullest_room_first_and_opens_new_rooms_when_all_are_full()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(10, s_timeout);
        var rooms = new List<uint>();
        foreach (var client in clients)
        {
            var result = Await(clients, client.QuickMatch(capacity: 4));
            Assert.True(result.Succeeded, result.Status.ToString());
            rooms.Add(result.RoomId);
        }
        var sizes = rooms.GroupBy(r => r).Select(g => g.Count()).OrderByDescending(n => n).ToArray();
        Assert.Equal([4, 4, 2], sizes);
        // Every player sees the whole room.
        Assert.True(TestServer.PumpUntil(clients, () => clients.All(c => c.GetRoomPlayers().Count == rooms.Count(r => r == c.CurrentRoom!.Id)), s_timeout));

        var list = Await(clients, clients[0].ListRooms(onlyJoinable: true));
        Assert.Single(list.Rooms);
        Assert.Equal(2, list.Rooms[0].Players);
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
            Thread.Sleep(sent % 20 == 0 ? 1 : 0);
        }
        Assert.True(Await(clients, join).Succeeded);
        Assert.True(TestServer.PumpUntil(clients, () => echoed.Count >= sent, s_timeout), $"{echoed.Count} of {sent} echoed");
        Assert.Equal(Enumerable.Range(0, sent), echoed.Order());

        Assert.NotEqual(oldId, mover.ConnectionId);
        Assert.Equal(hostShard, (byte)mover.ConnectionId);
        Assert.True(mover.IsConnected);
        Assert.Equal(room.RoomId, mover.CurrentRoom!.Id);
        Assert.Equal(1, server.Server.ShardCounters.Sum(c => c.SessionsHandedOver));
        Assert.Equal(0, server.Server.ShardCounters.Sum(c => c.Drops(Engine.Protocol.DropReason.AuthFailed)));
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
    public void A_spectator_receives_the_room_but_takes_no_slot()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(3, s_timeout);
        var room = Await(clients, clients[0].CreateRoom("show", 2));
        Assert.True(Await(clients, clients[1].JoinRoom(room.RoomId)).Succeeded);
        var watch = Await(clients, clients[2].Spectate(room.RoomId));
        Assert.True(watch.Succeeded);
        Assert.True(clients[2].CurrentRoom!.IsSpectator);
        Assert.Equal(RoomLimits.NoSlot, clients[2].CurrentRoom!.Slot);

        var heard = new List<string>();
        clients[2].ChatReceived += (_, text) => heard.Add(text);
        Assert.True(clients[0].SendChat("gl hf"));
        Assert.True(TestServer.PumpUntil(clients, () => heard.Count == 1, s_timeout));
        Assert.Equal("gl hf", heard[0]);
        Assert.True(TestServer.PumpUntil(clients, () => clients[2].GetRoomPlayers().Count == 2, s_timeout));

        // The room is full of players; the spectator took none of the two slots.
        var list = Await(clients, clients[0].ListRooms());
        var listed = Assert.Single(list.Rooms, r => r.Id == room.RoomId);
        Assert.Equal((2, 1), (listed.Players, listed.Spectators));
    }

    [Fact]
    public void Chat_is_cleaned_limited_in_size_and_rate_limited_per_player()
    {
        using var server = new TestServer(o => { o.ChatBurst = 3; o.ChatPerSecond = 1; });
        var clients = server.ConnectClients(2, s_timeout);
        var room = Await(clients, clients[0].CreateRoom("talk", 2));
        Assert.True(Await(clients, clients[1].JoinRoom(room.RoomId)).Succeeded);
        var heard = new List<string>();
        var refused = new List<RoomStatus>();
        clients[1].ChatReceived += (_, text) => heard.Add(text);
        clients[0].ChatRefused += r => refused.Add(r.Status);

        Assert.False(clients[0].SendChat(new string('a', 257)));
        Assert.True(clients[0].SendChat("bell\u0007 and\r\nnewline ok"));
        Assert.True(clients[0].SendChat("héllo wörld"));
        Assert.True(clients[0].SendChat("third"));
        Assert.True(clients[0].SendChat("fourth is over the burst"));
        Assert.True(TestServer.PumpUntil(clients, () => heard.Count == 3 && refused.Count == 1, s_timeout));
        Assert.Equal(["bell andnewline ok", "héllo wörld", "third"], heard);
        Assert.Equal(RoomStatus.RateLimited, refused[0]);
    }

    [Fact]
    public void Empty_rooms_close_after_the_grace_period()
    {
        using var server = new TestServer(o => o.EmptyRoomGraceMs = 200);
        var clients = server.ConnectClients(1, s_timeout);
        Assert.True(Await(clients, clients[0].CreateRoom("brief", 2)).Succeeded);
        Assert.Equal(1, server.Server.RoomCount);
        Assert.True(Await(clients, clients[0].LeaveRoom()).Succeeded);
        Assert.Null(clients[0].CurrentRoom);
        Assert.True(TestServer.WaitFor(() => server.Server.RoomCount == 0, s_timeout));
    }

    [Fact]
    public void Too_many_sessions_from_one_address_are_refused_with_a_reason()
    {
        using var server = new TestServer(o => o.MaxSessionsPerAddress = 2);
        var clients = server.ConnectClients(2, s_timeout);
        using var third = new EngineClient();
        third.Connect(server.EndPoint);
        Assert.False(third.WaitUntilConnected(s_timeout));
        Assert.Equal(Engine.Protocol.Handshake.RejectReason.TooManySessionsFromAddress, third.RejectReason);
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
