using System.Net;
using System.Reflection;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Engine.Client;
using Engine.Client.Conditions;
using Engine.Protocol;
using Engine.Protocol.Security;
using Engine.Protocol.Simulation;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Sdk.Tests;

/// <summary>
/// The SDK build a game engine loads (netstandard2.1 for Unity, net8.0 for Godot), playing against the
/// real AOT server: connect, a sealed session, rooms, inputs with prediction and interpolation, and
/// the network-condition simulation. Each test starts its own server on a free loopback port.
/// </summary>
public sealed class SdkInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void The_sdk_under_test_is_the_build_for_the_target_framework()
    {
        var expected = typeof(SdkInteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "SdkTargetFramework").Value switch
        {
            "netstandard2.1" => ".NETStandard,Version=v2.1",
            "net8.0" => ".NETCoreApp,Version=v8.0",
            var other => throw new InvalidOperationException(other),
        };
        Assert.Equal(expected, typeof(EngineClient).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);
        Assert.Equal(expected, typeof(ClientState).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);
    }

    [Fact]
    public void A_sealed_session_with_a_token_issued_by_the_sdk_echoes_unreliable_and_fragmented_reliable_messages()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var port = EngineProcess.FreeUdpPort();
        using var engine = EngineProcess.Start(["--bind", "127.0.0.1", "--port", port.ToString(), "--echo", "--stats-interval-seconds", "0"],
            new Dictionary<string, string> { ["ENGINE_TOKEN_KEY"] = Convert.ToHexString(key) });
        Assert.True(engine.WaitForOutput("listening on", s_timeout), engine.Output + engine.Error);

        // The token's private part is sealed by this build's cipher and opened by the server's.
        var token = ConnectToken.Issue(key, 77, [new IPEndPoint(IPAddress.Loopback, port)], TimeSpan.FromSeconds(30));
        using var client = new EngineClient();
        client.Connect(token.ToBase64());
        Assert.True(client.WaitUntilConnected(s_timeout), $"{client.DisconnectReason} {client.RejectReason} {engine.Error}");

        var large = new byte[5000];
        new Random(5).NextBytes(large);
        int unreliable = 0, reliable = 0;
        client.MessageReceived += payload => unreliable += payload.SequenceEqual("sealed"u8) ? 1 : 0;
        client.ReliableMessageReceived += payload => reliable += payload.SequenceEqual(large) ? 1 : 0;
        Assert.True(client.Send("sealed"u8));
        Assert.True(client.SendReliable(large));
        Pump(() => unreliable > 0 && reliable > 0, client);
        Assert.Equal(1, unreliable);
        Assert.Equal(1, reliable);
    }

    [Fact]
    public void A_plaintext_client_is_refused_by_a_secure_server_with_the_reason()
    {
        var port = EngineProcess.FreeUdpPort();
        using var engine = EngineProcess.Start(["--bind", "127.0.0.1", "--port", port.ToString(), "--stats-interval-seconds", "0"],
            new Dictionary<string, string> { ["ENGINE_TOKEN_KEY"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) });
        Assert.True(engine.WaitForOutput("listening on", s_timeout), engine.Output + engine.Error);
        using var client = new EngineClient();
        client.Connect("127.0.0.1", port);
        Assert.False(client.WaitUntilConnected(s_timeout));
        Assert.Equal(Engine.Protocol.Handshake.RejectReason.SecurityModeMismatch, client.RejectReason);
    }

    [Fact]
    public void Rooms_create_list_join_chat_and_leave()
    {
        using var engine = StartInsecure(out var port);
        using var host = Connected(port);
        using var guest = Connected(port);

        var created = Await(host.CreateRoom("sdk-room", 4), host);
        Assert.True(created.Succeeded, created.Status.ToString());
        Assert.Equal("sdk-room", host.CurrentRoom!.Name);

        var list = Await(guest.ListRooms(filter: "sdk"), guest);
        Assert.Contains(list.Rooms, r => r.Id == created.RoomId && r.Name == "sdk-room" && r.Players == 1 && r.Capacity == 4);

        var joined = new List<RoomPlayer>();
        var chat = new List<(uint, string)>();
        var left = new List<RoomPlayer>();
        host.PlayerJoined += joined.Add;
        host.ChatReceived += (player, text) => chat.Add((player, text));
        host.PlayerLeft += (player, _) => left.Add(player);

        Assert.True(Await(guest.JoinRoom("sdk-room"), guest, host).Succeeded);
        var guestId = guest.CurrentRoom!.PlayerId;
        Pump(() => joined.Count > 0, host, guest);
        Assert.Equal(guestId, joined.Single().PlayerId);
        Assert.Equal(2, host.GetRoomPlayers().Count);

        Assert.True(guest.SendChat("hello from the SDK"));
        Pump(() => chat.Count > 0, host, guest);
        Assert.Equal((guestId, "hello from the SDK"), chat.Single());

        Assert.True(Await(guest.LeaveRoom(), guest, host).Succeeded);
        Pump(() => left.Count > 0, host, guest);
        Assert.Equal(guestId, left.Single().PlayerId);
        Assert.Null(guest.CurrentRoom);
    }

    [Fact]
    public void Inputs_are_predicted_without_corrections_and_the_other_player_is_interpolated()
    {
        using var engine = StartInsecure(out var port);
        using var a = Connected(port);
        using var b = Connected(port);
        Assert.True(Await(a.QuickMatch(2), a).Succeeded);
        Assert.True(Await(b.QuickMatch(2), b, a).Succeeded);
        Assert.Equal(a.CurrentRoom!.Id, b.CurrentRoom!.Id);

        var (aStart, bStart) = Play(TimeSpan.FromSeconds(2), a, b);
        Assert.True(a.TryGetLocalPlayerState(out var aNow));
        Assert.True(a.TryGetPlayerState(b.CurrentRoom.PlayerId, out var bSeenByA));
        Assert.True(Distance(aStart, aNow) > 1000, $"predicted player moved {Distance(aStart, aNow)} mm");
        Assert.True(Distance(bStart, bSeenByA) > 1000, $"interpolated player moved {Distance(bStart, bSeenByA)} mm");
        Assert.True(a.SnapshotsReceived > 10);
        Assert.Equal(0, a.GetStats().Corrections);
        Assert.Equal(0, b.GetStats().Corrections);
    }

    [Fact]
    public void Under_simulated_latency_loss_duplication_and_reordering_the_client_still_connects_and_plays()
    {
        using var engine = StartInsecure(out var port);
        using var client = new EngineClient
        {
            SimulatedConditions = new NetworkConditions
            {
                Latency = TimeSpan.FromMilliseconds(30),
                Jitter = TimeSpan.FromMilliseconds(5),
                Loss = 0.05,
                Duplication = 0.05,
                Reordering = 0.05,
                Seed = 11,
            },
        };
        client.Connect("127.0.0.1", port);
        Assert.True(client.WaitUntilConnected(s_timeout), client.DisconnectReason.ToString());
        Assert.True(Await(client.QuickMatch(), client).Succeeded);
        var (start, _) = Play(TimeSpan.FromSeconds(2), client, null);
        Assert.True(client.TryGetLocalPlayerState(out var now));
        Assert.True(Distance(start, now) > 1000);
        Assert.True(client.Ping >= TimeSpan.FromMilliseconds(60), $"ping {client.Ping.TotalMilliseconds} ms");
        Assert.True(client.SnapshotsReceived > 10);
        var outgoing = client.SimulatedOutgoing;
        var incoming = client.SimulatedIncoming;
        Assert.True(outgoing.Sent > 50 && incoming.Sent > 50);
        Assert.True(outgoing.Dropped + incoming.Dropped > 0);
        Assert.True(outgoing.Duplicated + incoming.Duplicated > 0);

        client.SimulatedConditions = null;
        Assert.Equal(default, client.SimulatedOutgoing);
    }

    private static EngineProcess StartInsecure(out int port)
    {
        port = EngineProcess.FreeUdpPort();
        var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", port.ToString(), "--stats-interval-seconds", "0");
        Assert.True(engine.WaitForOutput("listening on", s_timeout), engine.Output + engine.Error);
        return engine;
    }

    private static EngineClient Connected(int port)
    {
        var client = new EngineClient();
        client.Connect("127.0.0.1", port);
        Assert.True(client.WaitUntilConnected(s_timeout), client.DisconnectReason.ToString());
        return client;
    }

    /// <summary>Both players walk forward, turning, one input per tick; returns where they started.</summary>
    private static (PlayerState A, PlayerState B) Play(TimeSpan duration, EngineClient a, EngineClient? b)
    {
        Pump(() => a.CanSendInput && (b is null || b.CanSendInput) && a.TryGetLocalPlayerState(out _)
            && (b is null || a.TryGetPlayerState(b.CurrentRoom!.PlayerId, out _)), a, b ?? a);
        a.TryGetLocalPlayerState(out var aStart);
        var bStart = default(PlayerState);
        if (b is not null)
        {
            a.TryGetPlayerState(b.CurrentRoom!.PlayerId, out bStart);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextTick = TimeSpan.Zero;
        ushort yaw = 0;
        while (clock.Elapsed < duration)
        {
            a.Update();
            b?.Update();
            while (clock.Elapsed >= nextTick)
            {
                yaw += 100;
                a.SendPlayerInput(forward: 127, right: 0, yaw: yaw, pitch: 0, buttons: InputButtons.None);
                b?.SendPlayerInput(forward: 127, right: 20, yaw: (ushort)(yaw * 2), pitch: 0, buttons: InputButtons.None);
                nextTick += a.TickInterval;
            }
            Thread.Sleep(1);
        }
        // Let the last inputs reach the server and the snapshots that follow them come back.
        var settle = clock.Elapsed + TimeSpan.FromMilliseconds(300);
        while (clock.Elapsed < settle)
        {
            a.Update();
            b?.Update();
            Thread.Sleep(1);
        }
        return (aStart, bStart);
    }

    private static double Distance(PlayerState from, PlayerState to)
    {
        double dx = to.PositionX - from.PositionX, dz = to.PositionZ - from.PositionZ;
        return Math.Sqrt((dx * dx) + (dz * dz));
    }

    private static T Await<T>(Task<T> task, params EngineClient[] clients)
    {
        Pump(() => task.IsCompleted, clients);
        return task.Result;
    }

    private static void Pump(Func<bool> until, params EngineClient[] clients)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!until())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            foreach (var client in clients)
            {
                client.Update();
            }
            Thread.Sleep(1);
        }
    }
}
