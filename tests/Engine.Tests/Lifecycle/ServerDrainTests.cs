using Engine.Client;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Tests.Netcode;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Lifecycle;

/// <summary>What a draining game server admits and refuses, with real clients over loopback.</summary>
public class ServerDrainTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);


    [Fact]
    public void A_draining_server_refuses_new_clients_and_new_rooms_while_players_in_rooms_play_on()
    {
        using var server = new TestServer(o => o.DefaultRoomCapacity = 4);
        var clients = server.ConnectClients(2, s_timeout);
        var (player, lobby) = (clients[0], clients[1]);
        Assert.True(EndToEndDriver.Await(clients, player.QuickMatch()).Succeeded);
        Assert.True(TestServer.PumpUntil(clients, () => server.Server.PlayersInRooms == 1, s_timeout));

        server.Server.StartDraining();
        Assert.True(server.Server.IsDraining);

        // A newcomer is refused at the handshake, and told why.
        using var late = new EngineClient();
        late.Connect(server.EndPoint);
        Assert.False(late.WaitUntilConnected(s_timeout));
        Assert.Equal(DisconnectReason.Rejected, late.DisconnectReason);
        Assert.Equal(RejectReason.Draining, late.RejectReason);
        Assert.Equal(1, server.Server.ShardCounters.Sum(c => c.Drops(DropReason.Draining)));

        // No new room: neither created nor opened by quick match; a room already open still takes a player.
        Assert.Equal(RoomStatus.Draining, EndToEndDriver.Await(clients, lobby.CreateRoom("late-room", 4)).Status);
        Assert.Equal(RoomStatus.Draining, EndToEndDriver.Await(clients, lobby.QuickMatch(capacity: 8)).Status);
        var joined = EndToEndDriver.Await(clients, lobby.QuickMatch());
        Assert.True(joined.Succeeded);
        Assert.Equal(player.CurrentRoom!.Id, joined.RoomId);
        Assert.Equal(1, server.Server.RoomCount);

        // The game goes on: snapshots keep coming to both players.
        var before = (player.SnapshotsReceived, lobby.SnapshotsReceived);
        Assert.True(TestServer.PumpUntil(clients, () => player.SnapshotsReceived >= before.Item1 + 10 && lobby.SnapshotsReceived >= before.Item2 + 10, s_timeout));
        Assert.All(clients, c => Assert.True(c.IsConnected));
        Assert.Equal(2, server.Server.PlayersInRooms);
    }

    [Fact]
    public void Players_in_rooms_count_connected_players_only_not_slots_kept_for_players_who_dropped()
    {
        using var server = new TestServer(o => o.ReconnectWindowMs = 60_000);
        var clients = server.ConnectClients(2, s_timeout);
        Assert.True(EndToEndDriver.Await(clients, clients[0].QuickMatch()).Succeeded);
        Assert.True(EndToEndDriver.Await(clients, clients[1].QuickMatch()).Succeeded);
        Assert.True(TestServer.PumpUntil(clients, () => server.Server.PlayersInRooms == 2, s_timeout));

        // One goes silent: its session times out (1 s here) and its slot is kept, but nobody plays in it.
        var staying = new List<EngineClient> { clients[0] };
        Assert.True(TestServer.PumpUntil(staying, () => server.Server.PlayersInRooms == 1, s_timeout), $"players in rooms: {server.Server.PlayersInRooms}");
        Assert.Equal(1, server.Server.RoomCount);
    }
}
