namespace Engine.Fleet.Records;

/// <summary>One room as its node last reported it. The id is the node's own; with the node's id it names the room fleet-wide.</summary>
public sealed class RoomRecord
{
    public uint Id { get; init; }
    public string Name { get; init; } = "";

    /// <summary>Private rooms are not listed and not matched; they are joined by id (the node checks the password).</summary>
    public bool Private { get; init; }
    public bool HasPassword { get; init; }
    public int Capacity { get; init; }
    public int Players { get; init; }
    public int Spectators { get; init; }
    public string Mode { get; init; } = "";
}
