using System.Text.Json.Serialization;

namespace Engine.Fleet.Records;

/// <summary>
/// What a node tells the fleet about itself, rewritten in the directory every renewal and gone
/// when it stops renewing: where players reach it, how loaded it is, and its rooms.
/// </summary>
public sealed class NodeRecord
{
    /// <summary>Unique in the fleet: letters, digits, '.', '_' and '-' (see <see cref="NodeIds"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The address:port connect tokens for this node list.</summary>
    public required string Address { get; init; }

    /// <summary><see cref="NodeStates.Open"/> or <see cref="NodeStates.Draining"/>; the backend places players only on open nodes.</summary>
    public required string State { get; init; }

    public string Version { get; init; } = "";

    /// <summary>The game mode the node's rooms play; matchmaking asks for one.</summary>
    public string Mode { get; init; } = "";

    public int Shards { get; init; }
    public int Sessions { get; init; }

    /// <summary>The sessions the node accepts in all (its --max-sessions).</summary>
    public int Capacity { get; init; }
    public int MaxRooms { get; init; }

    /// <summary>The capacity of the rooms quick match opens on this node (its --default-room-capacity).</summary>
    public int RoomCapacity { get; init; }

    /// <summary>The largest room capacity the node allows (its --max-players-per-room).</summary>
    public int MaxRoomCapacity { get; init; }

    /// <summary>The process's CPU use over the last renewal, as a fraction of the cores it may use.</summary>
    public double Cpu { get; init; }

    /// <summary>Sessions over capacity, 0..1: what "least loaded" compares (CPU trouble shows first as <see cref="Overload"/>).</summary>
    public double Load { get; init; }

    /// <summary>The worst shard's overload level (0 normal, 1 over its tick budget, 2 far over).</summary>
    public int Overload { get; init; }

    /// <summary>Free-form placement labels, e.g. region=eu-west.</summary>
    public Dictionary<string, string> Labels { get; init; } = new();

    /// <summary>When the node wrote this record (Unix milliseconds) and how long it holds without a renewal.</summary>
    public long UpdatedUnixMs { get; init; }
    public int TtlMs { get; init; }

    public List<RoomRecord> Rooms { get; init; } = new();

    [JsonIgnore]
    public bool IsOpen => State == NodeStates.Open;

    /// <summary>A record whose node stopped renewing it: the key's TTL removes it from Redis too; readers drop it first.</summary>
    public bool IsExpired(long nowUnixMs) => nowUnixMs > UpdatedUnixMs + TtlMs;
}
