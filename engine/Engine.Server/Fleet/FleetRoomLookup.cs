using System.Net;

namespace Engine.Server.Fleet;

/// <summary>What the fleet's directory says about a room on another node; <see cref="Address"/> is set when it was found.</summary>
public readonly record struct FleetRoomLookup(FleetRoomStatus Status, IPEndPoint? Address = null, bool HasPassword = false)
{
    public static FleetRoomLookup Found(IPEndPoint address, bool hasPassword) => new(FleetRoomStatus.Found, address, hasPassword);
}

public enum FleetRoomStatus : byte
{
    /// <summary>On an open node with a free place (the node still checks, as for any join).</summary>
    Found,

    /// <summary>No such node, or no such room on it, in the directory.</summary>
    NotFound,

    /// <summary>Its node is draining: it takes no new players.</summary>
    Draining,

    /// <summary>The room has no free slot, or its node no free session.</summary>
    Full,
}
