using System.Diagnostics;
using Engine.Fleet.Records;
using Engine.Fleet.Redis;
using Microsoft.Extensions.Logging;

namespace Engine.Fleet.Registration;

/// <summary>
/// Keeps a node's record in the directory: every renewal it asks the node for a fresh record (read
/// from counters the shards already publish, on this thread, never on a shard's) and writes it with
/// its TTL. When Redis is unreachable it warns once, counts every failed write, keeps trying, and
/// says so when the node is registered again; nothing here ever waits on a shard or makes one wait.
/// </summary>
public sealed class NodeRegistrar : IDisposable
{
    private readonly RedisDirectory _directory;
    private readonly Func<NodeRecord> _report;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly FleetMetrics _metrics = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private string _nodeId = "";
    private bool _registered;
    private string _lastState = "";

    /// <param name="report">Makes the node's current record; called on the registrar's thread once per renewal.</param>
    /// <param name="interval">How often the record is rewritten: well inside its TTL, so one lost write does not let it expire.</param>
    public NodeRegistrar(RedisDirectory directory, Func<NodeRecord> report, TimeSpan interval, ILogger logger)
    {
        _directory = directory;
        _report = report;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>How often a renewal comes for a TTL: a third of it, at most once a second, so counts in the directory stay fresh.</summary>
    public static TimeSpan IntervalFor(int ttlMs) => TimeSpan.FromMilliseconds(Math.Clamp(ttlMs / 3, 50, 1000));

    public long Writes => _metrics.Writes;
    public long Failures => _metrics.Failures;
    public bool Connected => _metrics.Connected;

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        long downSince = 0;
        var first = true;
        using var timer = new PeriodicTimer(_interval);
        do
        {
            NodeRecord record;
            try
            {
                record = _report();
            }
            catch (ObjectDisposedException)
            {
                return; // the node is going away
            }
            try
            {
                await _directory.PublishAsync(record).WaitAsync(_stop.Token).ConfigureAwait(false);
                _metrics.Written();
                (_nodeId, _registered) = (record.Id, true);
                if (first)
                {
                    FleetLog.Registered(_logger, record.Id, record.Address, _directory.Address.ToString(), record.TtlMs);
                }
                else if (downSince != 0)
                {
                    FleetLog.DirectoryBack(_logger, _directory.Address.ToString(), Stopwatch.GetElapsedTime(downSince).TotalSeconds, record.Id);
                }
                if (!first && record.State != _lastState)
                {
                    FleetLog.StateChanged(_logger, record.Id, record.State);
                }
                first = false;
                downSince = 0;
                _lastState = record.State;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                _metrics.Failed();
                if (downSince == 0)
                {
                    FleetLog.DirectoryLost(_logger, _directory.Address.ToString(), Reason(ex));
                    downSince = Stopwatch.GetTimestamp();
                }
            }
        }
        while (await WaitForNextAsync(timer).ConfigureAwait(false));
    }

    private async Task<bool> WaitForNextAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string Reason(Exception ex) => ex.GetBaseException().Message.Split('\n')[0].Trim();

    /// <summary>Stops renewing and takes the node out of the directory at once, waiting at most <paramref name="timeout"/> for Redis.</summary>
    public void Stop(TimeSpan timeout)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        _loop?.Wait(timeout);
        if (!_registered)
        {
            return; // never written: nothing to take out
        }
        if (!_directory.IsConnected)
        {
            FleetLog.DeregisterFailed(_logger, _nodeId, "the directory is unreachable");
            return;
        }
        try
        {
            if (_directory.RemoveAsync(_nodeId).Wait(timeout))
            {
                FleetLog.Deregistered(_logger, _nodeId);
                return;
            }
            FleetLog.DeregisterFailed(_logger, _nodeId, "timed out");
        }
        catch (AggregateException ex)
        {
            FleetLog.DeregisterFailed(_logger, _nodeId, Reason(ex));
        }
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromMilliseconds(500));
        _stop.Dispose();
        _metrics.Dispose();
    }
}
