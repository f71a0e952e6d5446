using System.Diagnostics;
using Engine.Client;
using Engine.Protocol.Simulation;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>Drives real clients against a real server the way a game loop does: Update every pass, one input per client per simulation tick.</summary>
internal static class EndToEndDriver
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static T Await<T>(IReadOnlyList<EngineClient> clients, Task<T> task)
    {
        Assert.True(TestServer.PumpUntil(clients, () => task.IsCompleted, Timeout), "no answer from the server");
        return task.Result;
    }

    /// <summary>Pumps until every player (spectators excluded) has its spawn state and may send inputs.</summary>
    public static void WaitUntilPlaying(IReadOnlyList<EngineClient> players) =>
        Assert.True(TestServer.PumpUntil(players, () => players.All(p => p.CanSendInput), Timeout), "players never got their first snapshot");

    /// <summary>
    /// Runs for <paramref name="duration"/>: every pass updates every client, and for each 1/60 s tick
    /// that has come due, sends each player the input <paramref name="inputFor"/>(player index, tick)
    /// gives. <paramref name="observe"/> runs once per pass (after the updates). A pass that falls
    /// behind sends the missed ticks at once, as a game loop catching up does.
    /// </summary>
    public static void Play(IReadOnlyList<EngineClient> clients, IReadOnlyList<EngineClient> players, TimeSpan duration, Func<int, long, PlayerInput> inputFor, Action? observe = null) =>
        PlayUntil(clients, players, duration, duration, inputFor, () => true, observe);

    /// <summary>
    /// As <see cref="Play"/>, for at least <paramref name="atLeast"/> and then until <paramref name="done"/>
    /// holds or <paramref name="atMost"/> has passed; returns whether it held. A game loop sends one input per
    /// tick whatever the machine does, so waiting this way keeps the inputs on the server's schedule.
    /// </summary>
    public static bool PlayUntil(IReadOnlyList<EngineClient> clients, IReadOnlyList<EngineClient> players, TimeSpan atLeast, TimeSpan atMost,
        Func<int, long, PlayerInput> inputFor, Func<bool> done, Action? observe = null)
    {
        var tickTicks = Stopwatch.Frequency / 60;
        var start = Stopwatch.GetTimestamp();
        var least = start + (long)(atLeast.TotalSeconds * Stopwatch.Frequency);
        var end = start + (long)(atMost.TotalSeconds * Stopwatch.Frequency);
        long tick = 0;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end || (now >= least && done()))
            {
                return done();
            }
            foreach (var client in clients)
            {
                client.Update();
            }
            while (Stopwatch.GetTimestamp() >= start + tick * tickTicks)
            {
                for (var i = 0; i < players.Count; i++)
                {
                    Assert.True(players[i].SendPlayerInput(inputFor(i, tick)), $"player {i} refused input at tick {tick}");
                }
                tick++;
            }
            observe?.Invoke();
            Thread.Sleep(1);
        }
    }

    /// <summary>Walks forward, turning a quarter turn every second (a square about 6 m across, so nobody reaches a wall), each player starting on its own heading.</summary>
    public static PlayerInput Square(int player, long tick) => new()
    {
        Forward = PlayerInput.AxisMax,
        Yaw = (ushort)(player * 5000 + tick / 60 * PlayerInput.QuarterTurn),
    };

    public static PlayerInput Idle(int player, long tick) => new() { Yaw = (ushort)(player * 5000) };

    public static long DistanceMm(in PlayerState a, in PlayerState b)
    {
        var dx = (long)a.PositionX - b.PositionX;
        var dy = (long)a.PositionY - b.PositionY;
        var dz = (long)a.PositionZ - b.PositionZ;
        return (long)Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }
}
