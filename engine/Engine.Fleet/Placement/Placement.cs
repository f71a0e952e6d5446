using Engine.Fleet.Records;

namespace Engine.Fleet.Placement;

/// <summary>Where a player goes: a room on a node, or a node that opens a room by quick match (<see cref="Room"/> null).</summary>
public sealed record Placement(NodeRecord Node, RoomRecord? Room, int Capacity);
