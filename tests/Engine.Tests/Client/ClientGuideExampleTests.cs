using System.Diagnostics;
using System.Runtime.CompilerServices;
using Engine.Client;
using Engine.Protocol.Simulation;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Client;

/// <summary>
/// The example program of docs/CLIENT.md, kept here so it compiles with the real API, runs against a
/// real server, and stays the same text as the guide (a test compares the two).
/// </summary>
public class ClientGuideExampleTests
{
    [Fact]
    public void The_guide_example_plays_against_a_real_server()
    {
        using var server = new TestServer(o => o.TimeoutMs = 5000);
        var console = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(console);
        try
        {
            Example(["127.0.0.1", server.EndPoint.Port.ToString(), "2"]);
        }
        finally
        {
            Console.SetOut(previous);
        }
        var text = console.ToString();
        Assert.Contains("in room", text);
        Assert.Contains("0 corrections", text);
        Assert.DoesNotContain("could not", text);
        Assert.DoesNotContain("refused", text);
    }

    [Fact]
    public void The_guide_shows_exactly_this_example()
    {
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "CLIENT.md")).ReplaceLineEndings("\n");
        var source = File.ReadAllLines(ThisFile());
        var start = Array.FindIndex(source, l => l.Trim() == "// <example>") + 1;
        var end = Array.FindIndex(source, l => l.Trim() == "// </example>");
        Assert.True(start > 0 && end > start);
        var body = string.Join("\n", source[start..end].Select(l => l.Length >= 8 ? l[8..] : l.Trim()));
        Assert.Contains(body, guide);
    }

    private static void Example(string[] args)
    {
        // <example>
        var host = args.Length > 0 ? args[0] : "127.0.0.1";
        var port = args.Length > 1 ? int.Parse(args[1]) : 7777;
        var playFor = TimeSpan.FromSeconds(args.Length > 2 ? double.Parse(args[2]) : 30);

        using var client = new EngineClient();
        client.Disconnected += reason => Console.WriteLine($"disconnected: {reason}");
        client.PlayerJoined += player => Console.WriteLine($"player {player.PlayerId} joined in slot {player.Slot}");
        client.PlayerLeft += (player, reason) => Console.WriteLine($"player {player.PlayerId} left: {reason}");
        client.ChatReceived += (playerId, text) => Console.WriteLine($"[{playerId}] {text}");

        client.Connect(host, port);
        if (!client.WaitUntilConnected(TimeSpan.FromSeconds(5)))
        {
            Console.WriteLine($"could not connect: {client.DisconnectReason} {client.RejectReason}");
            return;
        }

        // Room operations are answered during Update: keep updating until the task completes.
        var match = client.QuickMatch();
        while (!match.IsCompleted)
        {
            client.Update();
            Thread.Sleep(1);
        }
        if (!match.Result.Succeeded)
        {
            Console.WriteLine($"quick match refused: {match.Result.Status}");
            return;
        }
        var room = client.CurrentRoom!;
        Console.WriteLine($"in room {room.Name} ({room.Id}) as player {room.PlayerId}, {room.TickRate} ticks/s");
        client.SendChat("hello");

        var clock = Stopwatch.StartNew();
        var nextTick = TimeSpan.Zero;
        var nextReport = TimeSpan.FromSeconds(1);
        ushort yaw = 0;
        while (clock.Elapsed < playFor && client.IsConnected)
        {
            client.Update(); // snapshots, room events, acknowledgements

            // One input per simulation tick, never more, never fewer: catch up after a slow frame.
            while (clock.Elapsed >= nextTick)
            {
                yaw += 200; // walk in a circle, a turn every five seconds
                client.SendPlayerInput(forward: 127, right: 0, yaw: yaw, pitch: 0, buttons: InputButtons.None);
                nextTick += client.TickInterval;
            }

            // Draw: yourself where your inputs put you, the others slightly in the past.
            if (client.TryGetLocalPlayerState(out var me) && clock.Elapsed >= nextReport)
            {
                nextReport += TimeSpan.FromSeconds(1);
                Console.WriteLine($"me at ({me.PositionX / 1000.0:F2}, {me.PositionZ / 1000.0:F2}) m");
                foreach (var player in client.GetRoomPlayers())
                {
                    if (player.PlayerId != room.PlayerId && client.TryGetPlayerState(player.PlayerId, out var other))
                    {
                        Console.WriteLine($"  player {player.PlayerId} at ({other.PositionX / 1000.0:F2}, {other.PositionZ / 1000.0:F2}) m");
                    }
                }
                var stats = client.GetStats();
                Console.WriteLine($"  rtt {stats.RoundTripTime.TotalMilliseconds:F1} ms, loss {stats.PacketLoss:P1}, " +
                    $"up {stats.BytesSentPerSecond / 1024:F1} KiB/s, down {stats.BytesReceivedPerSecond / 1024:F1} KiB/s, " +
                    $"{stats.SnapshotsPerSecond:F0} snapshots/s, {stats.Corrections} corrections");
            }
            Thread.Sleep(1); // a real game renders here
        }

        var leave = client.LeaveRoom();
        while (!leave.IsCompleted && client.IsConnected)
        {
            client.Update();
            Thread.Sleep(1);
        }
        client.Disconnect();
        // </example>
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string RepositoryRoot()
    {
        var directory = Path.GetDirectoryName(ThisFile())!;
        while (!File.Exists(Path.Combine(directory, "Engine.sln")))
        {
            directory = Path.GetDirectoryName(directory)!;
        }
        return directory;
    }
}
