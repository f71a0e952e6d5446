using Engine.Host.Lifecycle;
using Engine.Server;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Agones;

/// <summary>
/// Tells Agones how the node is doing, from a task on the thread pool (never a shard thread):
/// Ready once the node listens (retried until the sidecar answers: it may start after the node),
/// Health every <see cref="HealthInterval"/>, the labels players, rooms and draining when they
/// change, Allocated while any room is open and Ready again once none is (so that neither a fleet's
/// scale-down nor its autoscaler picks a node with games in it), and Shutdown once the players have
/// been told. A failing sidecar is logged once per outage and retried; it never stops the node.
/// </summary>
internal sealed class AgonesLifecycle : IDisposable
{
    // Agones' default health check expects a ping every 5 s and tolerates 3 misses.
    public static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan s_pass = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_shutdownBudget = TimeSpan.FromSeconds(3);

    private readonly AgonesSdk _sdk;
    private readonly GameServer _server;
    private readonly NodeLifecycle _lifecycle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, string> _labels = new();
    private readonly HashSet<string> _failing = new();
    private Task _loop = Task.CompletedTask;
    private long _nextHealth;
    private bool _ready;
    private bool _allocated;

    private AgonesLifecycle(AgonesOptions options, GameServer server, NodeLifecycle lifecycle, ILogger logger)
    {
        _sdk = new AgonesSdk(new Uri(options.SdkAddress));
        _server = server;
        _lifecycle = lifecycle;
        _logger = logger;
    }

    public static AgonesLifecycle Start(AgonesOptions options, GameServer server, NodeLifecycle lifecycle, ILoggerFactory loggerFactory)
    {
        var agones = new AgonesLifecycle(options, server, lifecycle, loggerFactory.CreateLogger("Engine.Agones"));
        HostLog.AgonesStarting(agones._logger, options.SdkAddress);
        agones._loop = Task.Run(agones.RunAsync);
        return agones;
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(s_pass);
        try
        {
            do
            {
                try
                {
                    await PassAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Whatever goes wrong here must not stop the reports (Agones would take the silence for a dead node).
                    HostLog.AgonesCallFailed(_logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutdown or Dispose.
        }
    }

    private async Task PassAsync(CancellationToken cancellation)
    {
        var running = _lifecycle.State == NodeState.Running;
        if (!_ready && running && await TryAsync("ready", _sdk.ReadyAsync, cancellation).ConfigureAwait(false))
        {
            _ready = true;
            HostLog.AgonesState(_logger, "Ready");
        }
        if (TimeProvider.System.GetTimestamp() >= _nextHealth && await TryAsync("health", _sdk.HealthAsync, cancellation).ConfigureAwait(false))
        {
            _nextHealth = TimeProvider.System.GetTimestamp() + (long)(HealthInterval.TotalSeconds * TimeProvider.System.TimestampFrequency);
        }
        await LabelAsync("players", _server.PlayersInRooms.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellation).ConfigureAwait(false);
        await LabelAsync("rooms", _server.RoomCount.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellation).ConfigureAwait(false);
        await LabelAsync("draining", _lifecycle.State == NodeState.Running ? "false" : "true", cancellation).ConfigureAwait(false);
        // A drain ends in Shutdown; until then the node keeps whatever state it has.
        if (_ready && running)
        {
            var occupied = _server.RoomCount > 0;
            if (occupied && !_allocated && await TryAsync("allocate", _sdk.AllocateAsync, cancellation).ConfigureAwait(false))
            {
                _allocated = true;
                HostLog.AgonesState(_logger, "Allocated");
            }
            else if (!occupied && _allocated && await TryAsync("ready", _sdk.ReadyAsync, cancellation).ConfigureAwait(false))
            {
                _allocated = false;
                HostLog.AgonesState(_logger, "Ready");
            }
        }
    }

    private async Task LabelAsync(string key, string value, CancellationToken cancellation)
    {
        if (_labels.TryGetValue(key, out var sent) && sent == value)
        {
            return;
        }
        if (await TryAsync("label " + key, c => _sdk.SetLabelAsync(key, value, c), cancellation).ConfigureAwait(false))
        {
            _labels[key] = value;
        }
    }

    /// <summary>One call; a failure is logged when it starts (not again while it lasts) and the end of it too.</summary>
    private async Task<bool> TryAsync(string call, Func<CancellationToken, Task> send, CancellationToken cancellation)
    {
        try
        {
            await send(cancellation).ConfigureAwait(false);
        }
        catch (AgonesCallException ex)
        {
            if (_failing.Add(call))
            {
                HostLog.AgonesCallFailed(_logger, ex.Message);
            }
            return false;
        }
        if (_failing.Remove(call))
        {
            HostLog.AgonesCallRecovered(_logger, call);
        }
        return true;
    }

    /// <summary>Stops reporting and tells Agones the game server is done (retried for a few seconds); the host calls it after the players have been told.</summary>
    public void Shutdown()
    {
        _stop.Cancel();
        _loop.Wait(AgonesSdk.CallTimeout);
        using var budget = new CancellationTokenSource(s_shutdownBudget);
        while (!budget.IsCancellationRequested)
        {
            try
            {
                _sdk.ShutdownAsync(budget.Token).GetAwaiter().GetResult();
                HostLog.AgonesState(_logger, "Shutdown");
                return;
            }
            catch (AgonesCallException ex)
            {
                if (_failing.Add("shutdown"))
                {
                    HostLog.AgonesCallFailed(_logger, ex.Message);
                }
                budget.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        HostLog.AgonesShutdownUnsent(_logger, s_shutdownBudget.TotalSeconds);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait(AgonesSdk.CallTimeout);
        _stop.Dispose();
        _sdk.Dispose();
    }
}
