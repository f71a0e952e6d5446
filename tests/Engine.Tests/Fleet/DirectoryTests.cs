using Engine.Client;
using Engine.Fleet.Records;
using Engine.Fleet.Redis;
using Engine.Fleet.Registration;
using Engine.Host.Fleet;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>The directory against a real redis-server: records, TTLs, clean removal, a Redis outage, and a real node's record.</summary>
public class DirectoryTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static RedisDirectory Connect(RedisServer redis)
    {
        Assert.True(DirectoryAddress.TryParse(redis.Url, out var address, out _));
        return RedisDirectory.Connect(address!);
    }

    internal static NodeRecord Record(string id, int ttlMs, string state = NodeStates.Open, int sessions = 0, string address = "127.0.0.1:7777", params RoomRecord[] rooms) => new()
    {
        Id = id,
        Address = address,
        State = state,
        Mode = "arena",
        Sessions = sessions,
        Capacity = 1000,
        RoomCapacity = 16,
        MaxRoomCapacity = 64,
        UpdatedUnixMs = Now,
        TtlMs = ttlMs,
        Rooms = rooms.Length > 0 ? rooms.ToList() : [MatchmakerTests.Room(3, 7)],
    };

    [Fact]
    public async Task A_record_reads_back_whole_and_drops_out_when_its_ttl_runs_out_unrenewed()
    {
        using var redis = new RedisServer();
        using var directory = Connect(redis);
        await directory.PublishAsync(Record("short", 1000));
        await directory.PublishAsync(Record("long", 30_000));
        var nodes = await directory.ReadNodesAsync(Now);
        Assert.Equal(["long", "short"], nodes.Select(n => n.Id).Order());
        var room = Assert.Single(nodes.Single(n => n.Id == "short").Rooms);
        Assert.Equal((3u, 7, 16), (room.Id, room.Players, room.Capacity));

        await Task.Delay(1300);
        Assert.Equal(["long"], (await directory.ReadNodesAsync(Now)).Select(n => n.Id));
        Assert.True(redis.Ping());
    }

    [Fact]
    public async Task A_clean_stop_leaves_the_directory_at_once()
    {
        using var redis = new RedisServer();
        using var directory = Connect(redis);
        var logs = new LogLines();
        var registrar = new NodeRegistrar(directory, () => Record("leaving", 30_000), TimeSpan.FromMilliseconds(100), logs.Factory.CreateLogger("t"));
        registrar.Start();
        Assert.True(await WaitForAsync(async () => (await directory.ReadNodesAsync(Now)).Any(n => n.Id == "leaving")));
        registrar.Dispose();
        Assert.Empty(await directory.ReadNodesAsync(Now));
        Assert.Equal(1, logs.Count("left the directory as leaving"));
    }

    [Fact]
    public async Task A_redis_outage_is_counted_and_warned_once_and_the_node_registers_again_when_redis_returns()
    {
        using var redis = new RedisServer();
        using var directory = Connect(redis);
        using var reader = Connect(redis);
        var logs = new LogLines();
        var reports = 0;
        using var registrar = new NodeRegistrar(directory, () => { Interlocked.Increment(ref reports); return Record("survivor", 2000); },
            TimeSpan.FromMilliseconds(100), logs.Factory.CreateLogger("t"));
        registrar.Start();
        Assert.True(await WaitForAsync(async () => (await reader.ReadNodesAsync(Now)).Any(n => n.Id == "survivor")));

        redis.Stop();
        Assert.True(await WaitForAsync(() => Task.FromResult(registrar.Failures >= 3 && !registrar.Connected)));
        var reportsDuringOutage = Volatile.Read(ref reports);
        Assert.True(await WaitForAsync(() => Task.FromResult(Volatile.Read(ref reports) >= reportsDuringOutage + 3)), "the registrar stopped renewing during the outage");
        Assert.Equal(1, logs.Count("unreachable"));

        redis.Start(); // empty: the record must be written again, not merely renewed
        Assert.True(await WaitForAsync(async () => (await reader.ReadNodesAsync(Now)).Any(n => n.Id == "survivor")), "the node did not register again");
        Assert.True(await WaitForAsync(() => Task.FromResult(registrar.Connected && logs.Count("reachable again") == 1)));
        Assert.Equal(1, logs.Count("unreachable"));
    }

    [Fact]
    public async Task A_real_node_registers_its_rooms_and_its_drain_state_follows_the_hosts_delegate()
    {
        using var redis = new RedisServer();
        using var reader = Connect(redis);
        using var server = new TestServer(o => o.Shards = 1);
        var options = new FleetOptions { Directory = redis.Url, NodeId = "real-1", NodeLabels = "region=eu-west,zone=b", DirectoryTtlMs = 3000 };
        Assert.Empty(options.Validate(server.Server.Options));
        var draining = false;
        var logs = new LogLines();
        using var fleet = FleetNode.Start(options, server.Server, logs.Factory, () => Volatile.Read(ref draining));

        var clients = server.ConnectClients(3, s_timeout);
        var joins = clients.Select(c => c.QuickMatch(8)).ToList();
        Assert.True(TestServer.PumpUntil(clients, () => joins.All(j => j.IsCompleted), s_timeout));
        Assert.All(joins, j => Assert.True(j.Result.Succeeded));

        NodeRecord? record = null;
        Assert.True(await WaitForAsync(async () =>
        {
            record = (await reader.ReadNodesAsync(Now)).SingleOrDefault(n => n.Id == "real-1");
            return record?.Rooms.Sum(r => r.Players) == 3;
        }));
        Assert.Equal(NodeStates.Open, record!.State);
        Assert.Equal($"127.0.0.1:{server.Server.LocalEndPoint!.Port}", record.Address);
        Assert.Equal(3, record.Sessions);
        Assert.Equal(1, record.Shards);
        Assert.Equal(new Dictionary<string, string> { ["region"] = "eu-west", ["zone"] = "b" }, record.Labels);
        var room = Assert.Single(record.Rooms);
        Assert.Equal((8, false, "arena"), (room.Capacity, room.Private, room.Mode));

        Volatile.Write(ref draining, true);
        Assert.True(await WaitForAsync(async () => (await reader.ReadNodesAsync(Now)).Single(n => n.Id == "real-1").State == NodeStates.Draining));
        Volatile.Write(ref draining, false);
        Assert.True(await WaitForAsync(async () => (await reader.ReadNodesAsync(Now)).Single(n => n.Id == "real-1").State == NodeStates.Open));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    internal static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? s_timeout);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (StackExchange.Redis.RedisException)
            {
                // Redis is still coming back: ask again.
            }
            await Task.Delay(50);
        }
        return false;
    }
}
