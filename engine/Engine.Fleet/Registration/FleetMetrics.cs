using System.Diagnostics.Metrics;

namespace Engine.Fleet.Registration;

/// <summary>
/// The directory's instruments on the "Engine" meter (the admin endpoint's /metrics exports every
/// instrument of that name): whether the last write reached Redis, and the writes that failed.
/// </summary>
internal sealed class FleetMetrics : IDisposable
{
    private readonly Meter _meter = new("Engine", "1.0");
    private long _failures;
    private long _writes;
    private int _connected;

    public FleetMetrics()
    {
        _meter.CreateObservableGauge("engine.directory.connected", () => (long)Volatile.Read(ref _connected), "{state}",
            "1 while the node's record reaches the directory (Redis), 0 while matchmaking is local-only");
        _meter.CreateObservableCounter("engine.directory.writes", () => Volatile.Read(ref _writes), "{write}", "Registrations written to the directory");
        _meter.CreateObservableCounter("engine.directory.failures", () => Volatile.Read(ref _failures), "{write}", "Registrations that did not reach the directory");
    }

    public long Failures => Volatile.Read(ref _failures);
    public long Writes => Volatile.Read(ref _writes);
    public bool Connected => Volatile.Read(ref _connected) == 1;

    public void Written()
    {
        Interlocked.Increment(ref _writes);
        Volatile.Write(ref _connected, 1);
    }

    public void Failed()
    {
        Interlocked.Increment(ref _failures);
        Volatile.Write(ref _connected, 0);
    }

    public void Dispose() => _meter.Dispose();
}
