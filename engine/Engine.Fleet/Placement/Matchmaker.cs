using Engine.Fleet.Records;

namespace Engine.Fleet.Placement;

/// <summary>
/// Fleet-wide matchmaking over the directory's records: the fullest open room that fits, or else the
/// least-loaded open node, which opens one by quick match. Draining nodes, nodes of another mode or
/// without the asked labels, and full nodes are never chosen. Pure apart from the promises it records;
/// one request is decided at a time, so two requests never take the same last seat.
/// </summary>
public sealed class Matchmaker(PendingSeats pending)
{
    private readonly Lock _gate = new();

    /// <summary>Chooses a place and records the promised seat; null when no open node fits.</summary>
    public Placement? Place(IReadOnlyList<NodeRecord> nodes, MatchRequest request, long nowUnixMs)
    {
        lock (_gate)
        {
            pending.Expire(nowUnixMs);
            return PlaceLocked(nodes, request, nowUnixMs);
        }
    }

    private Placement? PlaceLocked(IReadOnlyList<NodeRecord> nodes, MatchRequest request, long nowUnixMs)
    {
        NodeRecord? bestNode = null;
        RoomRecord? bestRoom = null;
        var bestFill = -1;
        NodeRecord? leastLoaded = null;
        var leastLoad = double.MaxValue;
        foreach (var node in nodes)
        {
            if (!Fits(node, request, nowUnixMs))
            {
                continue;
            }
            var capacity = CapacityOn(node, request);
            foreach (var room in node.Rooms)
            {
                if (room.Private || room.HasPassword || room.Capacity != capacity || (request.Mode.Length > 0 && room.Mode != request.Mode))
                {
                    continue;
                }
                var fill = room.Players + pending.ForRoom(node.Id, room.Id);
                if (fill < room.Capacity && (fill > bestFill || (fill == bestFill && bestNode is not null && node.Load < bestNode.Load)))
                {
                    (bestNode, bestRoom, bestFill) = (node, room, fill);
                }
            }
            var load = LoadWithPending(node);
            if (load < leastLoad || (load == leastLoad && (node.Cpu < leastLoaded!.Cpu || (node.Cpu == leastLoaded.Cpu && string.CompareOrdinal(node.Id, leastLoaded.Id) < 0))))
            {
                (leastLoaded, leastLoad) = (node, load);
            }
        }
        var chosen = bestNode is not null
            ? new Placement(bestNode, bestRoom, bestRoom!.Capacity)
            : leastLoaded is not null ? new Placement(leastLoaded, null, CapacityOn(leastLoaded, request)) : null;
        if (chosen is not null)
        {
            pending.Add(chosen.Node.Id, chosen.Room?.Id ?? 0, nowUnixMs);
        }
        return chosen;
    }

    /// <summary>A seat in a given room (join by id): the room's node must be open and the room not full; otherwise why not.</summary>
    public JoinOutcome Join(IReadOnlyList<NodeRecord> nodes, string nodeId, uint roomId, long nowUnixMs, out NodeRecord? node, out RoomRecord? room)
    {
        lock (_gate)
        {
            pending.Expire(nowUnixMs);
            return JoinLocked(nodes, nodeId, roomId, nowUnixMs, out node, out room);
        }
    }

    private JoinOutcome JoinLocked(IReadOnlyList<NodeRecord> nodes, string nodeId, uint roomId, long nowUnixMs, out NodeRecord? node, out RoomRecord? room)
    {
        node = nodes.FirstOrDefault(n => n.Id == nodeId && !n.IsExpired(nowUnixMs));
        room = node?.Rooms.FirstOrDefault(r => r.Id == roomId);
        if (node is null || room is null)
        {
            return JoinOutcome.NotFound;
        }
        if (!node.IsOpen)
        {
            return JoinOutcome.NodeDraining;
        }
        if (room.Players + pending.ForRoom(node.Id, room.Id) >= room.Capacity)
        {
            return JoinOutcome.Full;
        }
        pending.Add(node.Id, room.Id, nowUnixMs);
        return JoinOutcome.Ok;
    }

    /// <summary>An open, live node of the asked mode and labels with a free session and rooms of the asked capacity.</summary>
    private bool Fits(NodeRecord node, MatchRequest request, long nowUnixMs)
    {
        if (!node.IsOpen || node.IsExpired(nowUnixMs) || (request.Mode.Length > 0 && node.Mode != request.Mode))
        {
            return false;
        }
        if (request.Capacity > node.MaxRoomCapacity)
        {
            return false;
        }
        foreach (var (key, value) in request.Labels)
        {
            if (!node.Labels.TryGetValue(key, out var has) || has != value)
            {
                return false;
            }
        }
        return node.Sessions + pending.ForNode(node.Id) < node.Capacity;
    }

    private static int CapacityOn(NodeRecord node, MatchRequest request) => request.Capacity > 0 ? request.Capacity : node.RoomCapacity;

    /// <summary>
    /// Sessions over capacity with the seats promised there counted as sessions, so a burst spreads
    /// over the nodes; a node over its tick budget ranks after every node that is not (CPU breaks ties).
    /// </summary>
    private double LoadWithPending(NodeRecord node) =>
        node.Overload + ((node.Sessions + pending.ForNode(node.Id)) / (double)Math.Max(1, node.Capacity));
}
