using Engine.Fleet.Records;
using Engine.Fleet.Redis;
using Engine.Fleet.Registration;
using Microsoft.Extensions.Logging;

namespace Engine.Fleet.Placement;

/// <summary>
/// The backend's copy of the directory, read from Redis a few times a second so that requests never
/// wait on Redis. When Redis is unreachable the last copy keeps serving, each record only until its
/// own TTL runs out: a dead node leaves the view on time even while Redis is down.
/// </summary>
public sealed class FleetView : IDisposable
{
    private readonly RedisDirectory _directory;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private volatile List<NodeRecord> _nodes = new();
    private Task? _loop;
    private long _reads;

    public FleetView(RedisDirectory directory, TimeSpan interval, ILogger logger)
    {
        _directory = directory;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>Successful reads so far (tests wait for the first).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The live nodes as last read.</summary>
    public IReadOnlyList<NodeRecord> Nodes(long nowUnixMs) => _nodes.Where(n => !n.IsExpired(nowUnixMs)).ToList();

    public void Start() => _loop = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var stale = false;
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                _nodes = await _directory.ReadNodesAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).WaitAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _reads);
                if (stale)
                {
                    FleetLog.ViewBack(_logger, _directory.Address.ToString(), _nodes.Count);
                    stale = false;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or IOException)
            {
                if (!stale)
                {
                    FleetLog.ViewStale(_logger, _directory.Address.ToString(), ex.GetBaseException().Message.Split('\n')[0].Trim());
                    stale = true;
                }
            }
            try
            {
                if (!await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (true);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _loop?.Wait(TimeSpan.FromSeconds(1));
        _stop.Dispose();
    }
}
