using System.Net;
using System.Security.Cryptography;
using Engine.Fleet.Records;
using Engine.Fleet.Redis;
using Engine.Fleet.Registration;
using Engine.Host.Backend;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>
/// The backend in process over a real redis-server, with nodes registered by real registrars (their
/// records made up): authentication, placement, the drain state honoured, listing and joining.
/// </summary>
public class BackendTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private sealed class Fleet : IDisposable
    {
        private readonly List<IDisposable> _owned = new();

        public Fleet()
        {
            Redis = new RedisServer();
            Assert.True(DirectoryAddress.TryParse(Redis.Url, out var address, out _));
            Directory = address!;
            TokenKey = RandomNumberGenerator.GetBytes(32);
            ApiKey = BackendClient.NewApiKey();
            Backend = BackendServer.Start(new BackendOptions
            {
                Directory = Directory,
                TokenKey = TokenKey,
                ApiKey = ApiKey,
                Http = new IPEndPoint(IPAddress.Loopback, 0),
            }, Logs.Factory, TimeSpan.FromMilliseconds(100));
            Client = new BackendClient(Backend.Address, ApiKey);
        }

        public RedisServer Redis { get; }
        public DirectoryAddress Directory { get; }
        public byte[] TokenKey { get; }
        public string ApiKey { get; }
        public BackendServer Backend { get; }
        public BackendClient Client { get; }
        public LogLines Logs { get; } = new();

        /// <summary>A node that registers whatever <paramref name="report"/> says, renewed every 100 ms.</summary>
        public void Register(Func<NodeRecord> report)
        {
            var directory = RedisDirectory.Connect(Directory);
            var registrar = new NodeRegistrar(directory, report, TimeSpan.FromMilliseconds(100), Logs.Factory.CreateLogger("node"));
            registrar.Start();
            _owned.Add(registrar);
            _owned.Add(directory);
        }

        public Task<bool> SeesAsync(Func<IReadOnlyList<NodeRecord>, bool> condition) =>
            DirectoryTests.WaitForAsync(() => Task.FromResult(condition(Backend.View.Nodes(Now))));

        public void Dispose()
        {
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }
            Client.Dispose();
            Backend.Dispose();
            Redis.Dispose();
        }
    }

    [Fact]
    public async Task Requests_without_the_bearer_key_are_refused()
    {
        using var fleet = new Fleet();
        var (status, body) = await fleet.Client.SendAsync(HttpMethod.Post, "/v1/matchmake", """{"playerId":1}""", key: BackendClient.NewApiKey());
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("bearer", body.GetProperty("error").GetString());
        using var bare = new HttpClient();
        using var response = await bare.GetAsync(fleet.Backend.Address + "/v1/rooms");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task The_backend_never_places_a_player_on_a_draining_node_and_does_again_once_it_is_open()
    {
        using var fleet = new Fleet();
        var draining = true;
        fleet.Register(() => DirectoryTests.Record("busy", 2000, sessions: 500, address: "127.0.0.1:7001", rooms: [MatchmakerTests.Room(1, 16)]));
        fleet.Register(() => DirectoryTests.Record("flip", 2000, Volatile.Read(ref draining) ? NodeStates.Draining : NodeStates.Open, address: "127.0.0.1:7002",
            rooms: [MatchmakerTests.Room(4, 10)]));
        Assert.True(await fleet.SeesAsync(nodes => nodes.Count == 2 && nodes.Single(n => n.Id == "flip").State == NodeStates.Draining));

        for (ulong player = 1; player <= 20; player++)
        {
            var (status, ticket) = await fleet.Client.MatchmakeAsync(player);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("busy", ticket.GetProperty("nodeId").GetString());
            Assert.Equal("quick-match", ticket.GetProperty("action").GetString()); // its one room is full
            var token = ConnectToken.Parse(ticket.GetProperty("token").GetString()!);
            Assert.Equal(IPEndPoint.Parse("127.0.0.1:7001"), Assert.Single(token.ServerAddresses));
            Assert.Equal(player, token.PlayerId);
        }
        var (refused, error) = await fleet.Client.JoinAsync("flip:4", 99);
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("draining", error.GetProperty("error").GetString());

        Volatile.Write(ref draining, false);
        Assert.True(await fleet.SeesAsync(nodes => nodes.Single(n => n.Id == "flip").State == NodeStates.Open));
        var (_, placed) = await fleet.Client.MatchmakeAsync(21);
        Assert.Equal("flip", placed.GetProperty("nodeId").GetString());
        Assert.Equal("join", placed.GetProperty("action").GetString());
        Assert.Equal("flip:4", placed.GetProperty("roomId").GetString());
        Assert.Equal(4u, placed.GetProperty("room").GetUInt32());
        var (joined, ticketForRoom) = await fleet.Client.JoinAsync("flip:4", 22);
        Assert.Equal(HttpStatusCode.OK, joined);
        Assert.Equal("127.0.0.1:7002", ticketForRoom.GetProperty("address").GetString());
    }

    [Fact]
    public async Task Rooms_are_listed_fleet_wide_with_filters_and_paging_and_bad_requests_say_why()
    {
        using var fleet = new Fleet();
        fleet.Register(() => DirectoryTests.Record("a", 2000, rooms: [MatchmakerTests.Room(1, 3), MatchmakerTests.Room(2, 16), MatchmakerTests.Room(3, 1, isPrivate: true)]));
        fleet.Register(() => DirectoryTests.Record("b", 2000, rooms: [MatchmakerTests.Room(1, 5, capacity: 32), MatchmakerTests.Room(9, 0)]));
        Assert.True(await fleet.SeesAsync(nodes => nodes.Count == 2));

        var (status, all) = await fleet.Client.RoomsAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, all.GetProperty("total").GetInt32());
        Assert.Equal(["a:1", "a:2", "b:1", "b:9"], all.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()));

        var (_, page) = await fleet.Client.RoomsAsync("?pageSize=3&page=1");
        Assert.Equal((4, 1), (page.GetProperty("total").GetInt32(), page.GetProperty("rooms").GetArrayLength()));
        var (_, joinable) = await fleet.Client.RoomsAsync("?joinable=true&capacity=16");
        Assert.Equal(["a:1", "b:9"], joinable.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var (_, withPrivate) = await fleet.Client.RoomsAsync("?includePrivate=true&node=a");
        Assert.Equal(3, withPrivate.GetProperty("total").GetInt32());
        var (_, named) = await fleet.Client.RoomsAsync("?name=room-9");
        Assert.Equal("b:9", Assert.Single(named.GetProperty("rooms").EnumerateArray()).GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await fleet.Client.RoomsAsync("?pageSize=1000")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await fleet.Client.JoinAsync("a:77", 1)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await fleet.Client.JoinAsync("a:2", 1)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await fleet.Client.JoinAsync("nonsense", 1)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await fleet.Client.SendAsync(HttpMethod.Post, "/v1/matchmake", "{not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await fleet.Client.MatchmakeAsync(0)).Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await fleet.Client.MatchmakeAsync(5, mode: "racing")).Status);
    }

    [Fact]
    public async Task Nodes_are_listed_with_their_load_cpu_and_counts_and_a_draining_node_says_so()
    {
        using var fleet = new Fleet();
        fleet.Register(() => new NodeRecord
        {
            Id = "b",
            Address = "127.0.0.1:7002",
            State = NodeStates.Draining,
            Mode = "arena",
            Shards = 2,
            Sessions = 40,
            Capacity = 1000,
            Cpu = 0.25,
            Load = 0.04,
            Labels = new() { ["region"] = "eu-west" },
            UpdatedUnixMs = Now,
            TtlMs = 2000,
            Rooms = [MatchmakerTests.Room(1, 16), MatchmakerTests.Room(2, 9)],
        });
        fleet.Register(() => DirectoryTests.Record("a", 2000, sessions: 3, address: "127.0.0.1:7001", rooms: [MatchmakerTests.Room(5, 3)]));
        Assert.True(await fleet.SeesAsync(nodes => nodes.Count == 2));

        var (status, body) = await fleet.Client.SendAsync(HttpMethod.Get, "/v1/nodes");
        Assert.Equal(HttpStatusCode.OK, status);
        var nodes = body.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["a", "b"], nodes.Select(n => n.GetProperty("id").GetString()));
        var b = nodes[1];
        Assert.Equal(("127.0.0.1:7002", "draining", "arena"), (b.GetProperty("address").GetString(), b.GetProperty("state").GetString(), b.GetProperty("mode").GetString()));
        Assert.Equal((40, 1000, 2, 25), (b.GetProperty("sessions").GetInt32(), b.GetProperty("capacity").GetInt32(), b.GetProperty("rooms").GetInt32(), b.GetProperty("players").GetInt32()));
        Assert.Equal((0.25, 0.04), (b.GetProperty("cpu").GetDouble(), b.GetProperty("load").GetDouble()));
        Assert.Equal("eu-west", b.GetProperty("labels").GetProperty("region").GetString());
        Assert.True(b.GetProperty("updatedUnixMs").GetInt64() > 0);
        Assert.Equal((3, 1, 3), (nodes[0].GetProperty("sessions").GetInt32(), nodes[0].GetProperty("rooms").GetInt32(), nodes[0].GetProperty("players").GetInt32()));

        Assert.Equal(HttpStatusCode.Unauthorized, (await fleet.Client.SendAsync(HttpMethod.Get, "/v1/nodes", key: BackendClient.NewApiKey())).Status);
    }

    [Fact]
    public async Task A_resume_ticket_names_the_node_that_keeps_the_slot_whatever_its_rooms_and_none_for_a_draining_or_unknown_node()
    {
        using var fleet = new Fleet();
        // Its one room is full (the kept slot counts as taken): a join by room would be refused, a resume is not.
        fleet.Register(() => DirectoryTests.Record("keeper", 2000, sessions: 16, address: "127.0.0.1:7001", rooms: [MatchmakerTests.Room(1, 16)]));
        fleet.Register(() => DirectoryTests.Record("leaving", 2000, NodeStates.Draining, address: "127.0.0.1:7002"));
        Assert.True(await fleet.SeesAsync(nodes => nodes.Count == 2));

        var (status, ticket) = await fleet.Client.ResumeAsync("keeper", 42);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("keeper", "127.0.0.1:7001", "resume"), (ticket.GetProperty("nodeId").GetString(), ticket.GetProperty("address").GetString(), ticket.GetProperty("action").GetString()));
        var token = ConnectToken.Parse(ticket.GetProperty("token").GetString()!);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:7001"), Assert.Single(token.ServerAddresses));
        Assert.Equal(42ul, token.PlayerId);
        Assert.Equal(HttpStatusCode.Conflict, (await fleet.Client.JoinAsync("keeper:1", 42)).Status);

        Assert.Equal(HttpStatusCode.Conflict, (await fleet.Client.ResumeAsync("leaving", 42)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await fleet.Client.ResumeAsync("gone", 42)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await fleet.Client.ResumeAsync("keeper", 0)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fleet.Client.SendAsync(HttpMethod.Post, "/v1/nodes/keeper/resume", """{"playerId":42}""", key: BackendClient.NewApiKey())).Status);
    }
}
