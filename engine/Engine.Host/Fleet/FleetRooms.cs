using System.Net;
using Engine.Fleet.Placement;
using Engine.Fleet.Records;
using Engine.Server.Fleet;

namespace Engine.Host.Fleet;

/// <summary>
/// The node's answer to "where is room NODE:ROOM": the fleet's directory as its <see cref="FleetView"/> last
/// read it (a few times a second, on the view's own task), so a shard asking never waits on Redis.
/// </summary>
/// <param name="nodes">The live records as last read (<see cref="FleetView.Nodes"/>), by the time of asking.</param>
internal sealed class FleetRooms(Func<long, IReadOnlyList<NodeRecord>> nodes, string nodeId) : IFleetDirectory
{
    public string NodeId => nodeId;

    public FleetRoomLookup Find(string node, uint roomId, bool spectate, long nowUnixMs)
    {
        foreach (var record in nodes(nowUnixMs))
        {
            if (record.Id != node)
            {
                continue;
            }
            var room = record.Rooms.Find(r => r.Id == roomId);
            if (room is null || !IPEndPoint.TryParse(record.Address, out var address))
            {
                return new FleetRoomLookup(FleetRoomStatus.NotFound);
            }
            if (record.State != NodeStates.Open)
            {
                return new FleetRoomLookup(FleetRoomStatus.Draining);
            }
            // Kept slots count as players in the record: a full room may still take a spectator.
            if (record.Sessions >= record.Capacity || (!spectate && room.Players >= room.Capacity))
            {
                return new FleetRoomLookup(FleetRoomStatus.Full);
            }
            return FleetRoomLookup.Found(address, room.HasPassword);
        }
        return new FleetRoomLookup(FleetRoomStatus.NotFound);
    }
}
