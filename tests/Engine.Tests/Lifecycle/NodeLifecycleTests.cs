using Engine.Host.Lifecycle;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Engine.Tests.Lifecycle;

/// <summary>The node's states and what moves it between them, on a clock the test moves.</summary>
public class NodeLifecycleTests
{
    private readonly ManualTime _time = new();
    private int _players;
    private int _closedToNewPlayers;

    private NodeLifecycle Create(int drainSeconds = 10) =>
        new(TimeSpan.FromSeconds(drainSeconds), () => _players, () => _closedToNewPlayers++, _time, NullLogger.Instance);

    /// <summary>The cause the node stopped with; fails (never waits) when it has not.</summary>
    private static async Task<StopCause> Ended(NodeLifecycle lifecycle)
    {
        Assert.True(lifecycle.Stopping.IsCompletedSuccessfully, $"the node is {lifecycle.State}");
        return await lifecycle.Stopping;
    }

    [Fact]
    public async Task A_drain_closes_the_node_once_and_lets_rooms_play_until_the_deadline()
    {
        using var lifecycle = Create(drainSeconds: 10);
        var started = 0;
        lifecycle.DrainStarted += () => started++;
        _players = 3;
        Assert.Equal(NodeState.Running, lifecycle.State);

        Assert.True(lifecycle.BeginDrain("test"));
        Assert.False(lifecycle.BeginDrain("again"));
        Assert.True(lifecycle.IsDraining);
        Assert.Equal(1, _closedToNewPlayers);
        Assert.Equal(1, started);
        Assert.Equal(TimeSpan.FromSeconds(10), lifecycle.DrainTimeLeft);

        _time.Advance(TimeSpan.FromSeconds(9.9));
        lifecycle.Poll();
        Assert.True(lifecycle.IsDraining);
        Assert.False(lifecycle.Stopping.IsCompleted);
        Assert.False(lifecycle.StopRequested.WaitOne(0));
        Assert.Equal(TimeSpan.FromSeconds(0.1), lifecycle.DrainTimeLeft);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        lifecycle.Poll();
        Assert.Equal(NodeState.Stopping, lifecycle.State);
        Assert.Equal(StopCause.DrainDeadline, await Ended(lifecycle));
        Assert.True(lifecycle.StopRequested.WaitOne(0));
        Assert.Equal(TimeSpan.Zero, lifecycle.DrainTimeLeft);
    }

    [Fact]
    public async Task A_drain_ends_early_when_no_room_has_a_player_left()
    {
        using var lifecycle = Create();
        _players = 2;
        lifecycle.BeginDrain("test");
        _time.Advance(TimeSpan.FromSeconds(1));
        lifecycle.Poll();
        Assert.True(lifecycle.IsDraining);

        _players = 0;
        lifecycle.Poll();
        Assert.Equal(StopCause.RoomsEmptied, await Ended(lifecycle));
    }

    [Fact]
    public async Task A_drain_with_a_zero_deadline_ends_at_the_first_poll()
    {
        using var lifecycle = Create(drainSeconds: 0);
        _players = 5;
        lifecycle.BeginDrain("test");
        lifecycle.Poll();
        Assert.Equal(StopCause.DrainDeadline, await Ended(lifecycle));
    }

    [Fact]
    public async Task Stopping_now_ends_a_drain_and_nothing_restarts_it()
    {
        using var lifecycle = Create();
        _players = 1;
        lifecycle.BeginDrain("test");
        lifecycle.StopNow("test");
        Assert.Equal(StopCause.Immediate, await Ended(lifecycle));

        Assert.False(lifecycle.BeginDrain("late"));
        _players = 0;
        lifecycle.Poll();
        lifecycle.StopNow("twice");
        Assert.Equal(NodeState.Stopping, lifecycle.State);
        Assert.Equal(StopCause.Immediate, await Ended(lifecycle));
        Assert.Equal(1, _closedToNewPlayers);
    }

    [Fact]
    public void Polling_a_running_node_changes_nothing_even_when_it_is_empty()
    {
        using var lifecycle = Create(drainSeconds: 0);
        _players = 0;
        _time.Advance(TimeSpan.FromHours(1));
        lifecycle.Poll();
        Assert.Equal(NodeState.Running, lifecycle.State);
        Assert.Equal(0, _closedToNewPlayers);
    }
}
