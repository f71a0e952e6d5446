using Engine.Fleet.Redis;
using Engine.Fleet.Registration;
using Engine.Server;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Fleet;

/// <summary>The node's membership of a fleet: its connection to the directory and the registrar that keeps its record there.</summary>
internal sealed class FleetNode : IDisposable
{
    private readonly RedisDirectory _directory;
    private readonly NodeRegistrar _registrar;

    private FleetNode(RedisDirectory directory, NodeRegistrar registrar)
    {
        _directory = directory;
        _registrar = registrar;
    }

    /// <summary>Starts registering; returns at once even when Redis is down (the node then runs alone and keeps trying).</summary>
    /// <param name="isDraining">The host's drain state; the record says "draining" while it is true, and the backend places nobody there.</param>
    public static FleetNode Start(FleetOptions options, GameServer server, ILoggerFactory loggerFactory, Func<bool>? isDraining = null)
    {
        var report = new NodeReport(server, options, isDraining);
        var directory = RedisDirectory.Connect(options.Address!);
        var registrar = new NodeRegistrar(directory, report.Make, NodeRegistrar.IntervalFor(options.DirectoryTtlMs), loggerFactory.CreateLogger("Engine.Fleet"));
        registrar.Start();
        return new FleetNode(directory, registrar);
    }

    /// <summary>Leaves the directory (at once, not after the TTL) before the server stops taking players.</summary>
    public void Dispose()
    {
        _registrar.Dispose();
        _directory.Dispose();
    }
}
