using System.Diagnostics;
using System.Net;
using System.Reflection;
using Engine.Fleet.Records;
using Engine.Server;
using Engine.Server.Rooms;

namespace Engine.Host.Fleet;

/// <summary>
/// Makes the node's directory record from what the server already publishes for the stats line and
/// /metrics (session counts, the room directory's counts, overload levels), on the registrar's thread.
/// Whether the node is draining comes from outside (the host's lifecycle), through a delegate.
/// </summary>
internal sealed class NodeReport
{
    private readonly GameServer _server;
    private readonly FleetOptions _options;
    private readonly Func<bool> _isDraining;
    private readonly List<RoomSummary> _rooms = new();
    private readonly string _address;
    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;
    private long _lastTimestamp = Stopwatch.GetTimestamp();

    public NodeReport(GameServer server, FleetOptions options, Func<bool>? isDraining = null)
    {
        _server = server;
        _options = options;
        _isDraining = isDraining ?? (static () => false);
        NodeId = options.NodeId.Length > 0 ? options.NodeId : NodeIds.NewDefault();
        var local = server.LocalEndPoint ?? throw new InvalidOperationException("the server is not listening");
        _address = string.IsNullOrEmpty(server.Options.PublicAddress) ? new IPEndPoint(local.Address, local.Port).ToString() : server.Options.PublicAddress;
    }

    public string NodeId { get; }

    public static string Version { get; } =
        typeof(NodeReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public NodeRecord Make()
    {
        var now = Stopwatch.GetTimestamp();
        var cpuTime = Environment.CpuUsage.TotalTime;
        var elapsed = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        var cpu = elapsed <= 0 ? 0 : Math.Clamp((cpuTime - _lastCpu).TotalSeconds / elapsed / Environment.ProcessorCount, 0, 1);
        (_lastCpu, _lastTimestamp) = (cpuTime, now);

        _rooms.Clear();
        _server.CopyRoomSummaries(_rooms);
        var options = _server.Options;
        var sessions = _server.SessionCount;
        return new NodeRecord
        {
            Id = NodeId,
            Address = _address,
            State = _isDraining() ? NodeStates.Draining : NodeStates.Open,
            Version = Version,
            Mode = _options.GameMode,
            Shards = _server.ShardCount,
            Sessions = sessions,
            Capacity = options.MaxSessions,
            MaxRooms = options.MaxRooms,
            RoomCapacity = options.DefaultRoomCapacity,
            MaxRoomCapacity = options.MaxPlayersPerRoom,
            Cpu = Math.Round(cpu, 3),
            Load = Math.Round(sessions / (double)options.MaxSessions, 4),
            Overload = _server.GetStatistics().OverloadLevel,
            Labels = _options.Labels,
            UpdatedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            TtlMs = _options.DirectoryTtlMs,
            Rooms = _rooms.Select(r => new RoomRecord
            {
                Id = r.Id,
                Name = r.Name,
                Private = r.IsPrivate,
                HasPassword = r.HasPassword,
                Capacity = r.Capacity,
                Players = r.Players,
                Spectators = r.Spectators,
                Mode = _options.GameMode,
            }).ToList(),
        };
    }
}
