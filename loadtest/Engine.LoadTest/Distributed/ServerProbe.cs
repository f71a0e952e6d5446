using System.Collections.Concurrent;
using System.Globalization;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// The coordinator's once-a-second look at the server, on a thread of its own (the stats line can take
/// most of a second to come): CPU and RSS when its process is on this machine, its stats line, its
/// /metrics and the kernel's UDP errors, 100 ms after each of the run's common second boundaries, as
/// a single run samples it.
/// </summary>
internal sealed class ServerProbe : IDisposable
{
    private readonly EngineServer _server;
    private readonly AdminScraper? _admin;
    private readonly DateTimeOffset _startAt;
    private readonly ConcurrentDictionary<int, ServerReading> _readings = new();
    private readonly Thread _thread;
    private volatile bool _stop;

    public ServerProbe(EngineServer server, AdminScraper? admin, DateTimeOffset startAt)
    {
        _server = server;
        _admin = admin;
        _startAt = startAt;
        _thread = new Thread(Loop) { Name = "server-probe", IsBackground = true };
        _thread.Start();
    }

    /// <summary>The reading of second <paramref name="second"/>, once taken.</summary>
    public ServerReading? Take(int second) => _readings.TryRemove(second, out var r) ? r : null;

    /// <summary>The server's /metrics now (the window's edges).</summary>
    public AdminSample? Scrape() => _admin?.Scrape();

    private void Loop()
    {
        var pid = _server.Pid?.ToString(CultureInfo.InvariantCulture);
        var lastCpu = pid is null ? -1 : ProcSampler.CpuTicks(pid);
        var lastAt = DateTimeOffset.UtcNow;
        for (var k = 1; !_stop; k++)
        {
            var due = _startAt.AddSeconds(k).AddMilliseconds(100);
            while (!_stop && DateTimeOffset.UtcNow < due)
            {
                Thread.Sleep(Math.Clamp((int)(due - DateTimeOffset.UtcNow).TotalMilliseconds, 1, 50));
            }
            if (_stop)
            {
                break;
            }
            var now = DateTimeOffset.UtcNow;
            var cpu = pid is null ? -1 : ProcSampler.CpuTicks(pid);
            var udp = ProcSampler.UdpErrors();
            var seconds = Math.Max(1e-3, (now - lastAt).TotalSeconds);
            var statsLine = _server.RequestStats(TimeSpan.FromMilliseconds(600));
            _readings[k] = new ServerReading(
                k,
                cpu >= 0 && lastCpu >= 0 ? (cpu - lastCpu) / ProcSampler.ClockTicksPerSecond / seconds * 100 : double.NaN,
                pid is null ? double.NaN : ProcSampler.RssKb(pid) / 1024.0,
                udp.InErrors,
                udp.RcvbufErrors,
                statsLine is null ? null : ServerStats.TryParse(statsLine),
                _admin?.Scrape());
            lastCpu = cpu;
            lastAt = now;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
