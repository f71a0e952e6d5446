using Microsoft.Extensions.Logging;

namespace Engine.Host.Lifecycle;

/// <summary>
/// The node's life, and the one place that changes it: running, draining, stopping. SIGTERM and
/// POST /admin/drain begin a drain (no new players, no new rooms; the rooms already open play on);
/// the host's loop calls <see cref="Poll"/>, which ends the drain once no room has a player left or
/// the deadline has passed; SIGINT, a second SIGTERM or a failure stop at once. Whatever watches the
/// node from outside (the admin endpoint's /readyz, Agones, a room directory) reads
/// <see cref="IsDraining"/>, subscribes to <see cref="DrainStarted"/> and awaits <see cref="Stopping"/>.
/// Thread-safe: signals, HTTP requests and the host's loop call in from their own threads.
/// </summary>
internal sealed class NodeLifecycle : IDisposable
{
    private readonly object _gate = new();
    private readonly Func<int> _playersInRooms;
    private readonly Action _stopAdmitting;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stopRequested = new();
    private readonly TaskCompletionSource<StopCause> _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private long _drainStarted;

    /// <param name="drainTimeout">How long rooms may play on once a drain begins.</param>
    /// <param name="playersInRooms">Connected players seated in rooms, now (the drain ends early at 0).</param>
    /// <param name="stopAdmitting">Closes the node to new players and new rooms (<see cref="Engine.Server.GameServer.StartDraining"/>).</param>
    public NodeLifecycle(TimeSpan drainTimeout, Func<int> playersInRooms, Action stopAdmitting, TimeProvider time, ILogger logger)
    {
        DrainTimeout = drainTimeout;
        _playersInRooms = playersInRooms;
        _stopAdmitting = stopAdmitting;
        _time = time;
        _logger = logger;
    }

    public NodeState State => (NodeState)Volatile.Read(ref _state);

    /// <summary>True from the moment a drain begins until the node starts stopping.</summary>
    public bool IsDraining => State == NodeState.Draining;

    public TimeSpan DrainTimeout { get; }

    /// <summary>
    /// Raised once, when the drain begins, on the thread that began it (a signal handler or an admin
    /// request), after the node has closed to new players. Handlers must return quickly and not throw.
    /// </summary>
    public event Action? DrainStarted;

    /// <summary>
    /// Completes when the node starts stopping, just before the players are told "server shutting
    /// down": the drain ended (<see cref="StopCause.RoomsEmptied"/>, <see cref="StopCause.DrainDeadline"/>)
    /// or a stop came at once (<see cref="StopCause.Immediate"/>). Continuations run on the thread pool.
    /// </summary>
    public Task<StopCause> Stopping => _stopping.Task;

    /// <summary>Set when the node starts stopping: the host's loop waits on it.</summary>
    public WaitHandle StopRequested => _stopRequested.WaitHandle;

    /// <summary>How long the drain may still run; zero unless draining.</summary>
    public TimeSpan DrainTimeLeft
    {
        get
        {
            lock (_gate)
            {
                if (State != NodeState.Draining)
                {
                    return TimeSpan.Zero;
                }
                var left = DrainTimeout - _time.GetElapsedTime(_drainStarted);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Begins a drain; false when the node is draining or stopping already (nothing changes then).</summary>
    public bool BeginDrain(string trigger)
    {
        lock (_gate)
        {
            if (State != NodeState.Running)
            {
                return false;
            }
            _stopAdmitting();
            _drainStarted = _time.GetTimestamp();
            Volatile.Write(ref _state, (int)NodeState.Draining);
        }
        HostLog.DrainStarted(_logger, trigger, _playersInRooms(), (long)DrainTimeout.TotalSeconds);
        DrainStarted?.Invoke();
        return true;
    }

    /// <summary>Stops at once, drain or not; the players are told "server shutting down" all the same.</summary>
    public void StopNow(string trigger)
    {
        if (TryStop(StopCause.Immediate))
        {
            HostLog.StoppingNow(_logger, trigger);
        }
    }

    /// <summary>The host's loop, a few times a second: ends a drain whose rooms emptied or whose deadline passed.</summary>
    public void Poll()
    {
        if (State != NodeState.Draining)
        {
            return;
        }
        var players = _playersInRooms();
        var elapsed = _time.GetElapsedTime(Volatile.Read(ref _drainStarted));
        if (players == 0 && TryStop(StopCause.RoomsEmptied))
        {
            HostLog.DrainEnded(_logger, "no room has a player left", players, elapsed.TotalSeconds);
        }
        else if (elapsed >= DrainTimeout && TryStop(StopCause.DrainDeadline))
        {
            HostLog.DrainEnded(_logger, "the drain deadline passed", players, elapsed.TotalSeconds);
        }
    }

    private bool TryStop(StopCause cause)
    {
        lock (_gate)
        {
            if (State == NodeState.Stopping)
            {
                return false;
            }
            Volatile.Write(ref _state, (int)NodeState.Stopping);
        }
        _stopRequested.Set();
        _stopping.TrySetResult(cause);
        return true;
    }

    public void Dispose() => _stopRequested.Dispose();
}
