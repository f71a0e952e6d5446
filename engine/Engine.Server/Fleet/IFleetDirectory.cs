namespace Engine.Server.Fleet;

/// <summary>
/// The fleet as one node sees it: its own id and a copy of the directory that something off the shard
/// threads keeps fresh. A shard asks it when a player wants a room on another node; it answers from
/// that copy and never waits (on Redis or anything else).
/// </summary>
public interface IFleetDirectory
{
    /// <summary>This node's id in the fleet: a fleet-wide room id naming it is an ordinary, local join.</summary>
    string NodeId { get; }

    /// <summary>Room <paramref name="roomId"/> of node <paramref name="nodeId"/> as last read, and whether a newcomer could take a place there.</summary>
    FleetRoomLookup Find(string nodeId, uint roomId, bool spectate, long nowUnixMs);
}
