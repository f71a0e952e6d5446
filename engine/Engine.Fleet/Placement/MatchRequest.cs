namespace Engine.Fleet.Placement;

/// <summary>What a player wants: a room of this capacity (0 = the node's default), playing this mode (empty = any), on a node with these labels.</summary>
public sealed record MatchRequest(int Capacity, string Mode, IReadOnlyDictionary<string, string> Labels);
