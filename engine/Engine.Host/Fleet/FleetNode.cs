using Engine.Fleet.Placement;
using Engine.Fleet.Redis;
using Engine.Fleet.Registration;
using Engine.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Host.Fleet;

/// <summary>
/// The node's membership of a fleet: its connection to the directory, the registrar that keeps its record
/// there, and its own read copy of the directory, which the shards consult to send a player to a room on
/// another node.
/// </summary>
internal sealed class FleetNode : IDisposable
{
    /// <summary>How often the node rereads the directory: a room another node opened is reachable from here this much after it is registered.</summary>
    public static readonly TimeSpan ViewInterval = TimeSpan.FromMilliseconds(500);

    private readonly RedisDirectory _directory;
    private readonly NodeRegistrar _registrar;
    private readonly FleetView _view;

    private FleetNode(RedisDirectory directory, NodeRegistrar registrar, FleetView view)
    {
        _directory = directory;
        _registrar = registrar;
        _view = view;
    }

    /// <summary>Starts registering; returns at once even when Redis is down (the node then runs alone and keeps trying).</summary>
    /// <param name="isDraining">The host's drain state; the record says "draining" while it is true, and the backend places nobody there.</param>
    public static FleetNode Start(FleetOptions options, GameServer server, ILoggerFactory loggerFactory, Func<bool>? isDraining = null)
    {
        var report = new NodeReport(server, options, isDraining);
        var directory = RedisDirectory.Connect(options.Address!);
        var registrar = new NodeRegistrar(directory, report.Make, NodeRegistrar.IntervalFor(options.DirectoryTtlMs), loggerFactory.CreateLogger("Engine.Fleet"));
        registrar.Start();
        // Silent: an outage is the registrar's one warning; meanwhile the view serves its last copy until the records expire.
        var view = new FleetView(directory, ViewInterval, NullLogger.Instance);
        view.Start();
        server.JoinFleet(new FleetRooms(view.Nodes, report.NodeId));
        return new FleetNode(directory, registrar, view);
    }

    /// <summary>Leaves the directory (at once, not after the TTL) before the server stops taking players.</summary>
    public void Dispose()
    {
        _registrar.Dispose();
        _view.Dispose();
        _directory.Dispose();
    }
}
