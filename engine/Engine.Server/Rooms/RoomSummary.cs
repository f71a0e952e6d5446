namespace Engine.Server.Rooms;

/// <summary>One open room as others may see it (the fleet's directory): no sessions, no password, counts as last published by its shard.</summary>
public readonly record struct RoomSummary(uint Id, string Name, bool IsPrivate, bool HasPassword, int Capacity, int Players, int Spectators);
