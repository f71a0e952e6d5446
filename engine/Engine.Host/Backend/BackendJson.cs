using System.Text.Json.Serialization;

namespace Engine.Host.Backend;

/// <summary>POST /v1/matchmake: a room of this capacity (0 = the node's default) and mode, on a node with these labels.</summary>
internal sealed class MatchmakeRequest
{
    public ulong PlayerId { get; set; }
    public int Capacity { get; set; }
    public string? Mode { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
}

/// <summary>POST /v1/rooms/{id}/join and POST /v1/nodes/{id}/resume: the player the ticket is for.</summary>
internal sealed class JoinRequest
{
    public ulong PlayerId { get; set; }
}

/// <summary>
/// Where to play: connect to <see cref="Address"/> with <see cref="Token"/>, then join <see cref="Room"/>
/// (action "join") or quick match rooms of <see cref="Capacity"/> (action "quick-match": the node opens one when none fits).
/// </summary>
internal sealed class Ticket
{
    public required string NodeId { get; init; }
    public required string Address { get; init; }
    public required string Token { get; init; }
    public required string Action { get; init; }
    public string? RoomId { get; init; }
    public uint? Room { get; init; }
    public int Capacity { get; init; }
    public long ExpiresUnixSeconds { get; init; }

    public const string JoinAction = "join";
    public const string QuickMatchAction = "quick-match";

    /// <summary>Connect, then take the kept slot back with the resume token the node gave at the last join.</summary>
    public const string ResumeAction = "resume";
}

/// <summary>One room in GET /v1/rooms.</summary>
internal sealed class RoomView
{
    public required string Id { get; init; }
    public required string NodeId { get; init; }
    public required string NodeState { get; init; }
    public uint Room { get; init; }
    public string Name { get; init; } = "";
    public int Capacity { get; init; }
    public int Players { get; init; }
    public int Spectators { get; init; }
    public string Mode { get; init; } = "";
    public bool Private { get; init; }
    public bool HasPassword { get; init; }
    public Dictionary<string, string> Labels { get; init; } = new();
}

internal sealed class RoomPage
{
    public int Total { get; init; }
    public int Page { get; init; }
    public int PageSize { get; init; }
    public List<RoomView> Rooms { get; init; } = new();
}

/// <summary>One node in GET /v1/nodes: its directory record without the rooms, which are counted instead.</summary>
internal sealed class NodeView
{
    public required string Id { get; init; }
    public required string Address { get; init; }
    public required string State { get; init; }
    public string Mode { get; init; } = "";
    public int Shards { get; init; }
    public int Sessions { get; init; }
    public int Capacity { get; init; }
    public double Load { get; init; }

    /// <summary>The node process's share of its cores over its last renewal, 0..1.</summary>
    public double Cpu { get; init; }
    public int Overload { get; init; }
    public int Rooms { get; init; }

    /// <summary>Players in its rooms, summed from its room records; <see cref="Sessions"/> also counts players in no room.</summary>
    public int Players { get; init; }
    public int Spectators { get; init; }
    public Dictionary<string, string> Labels { get; init; } = new();
    public long UpdatedUnixMs { get; init; }
}

internal sealed class NodeList
{
    public List<NodeView> Nodes { get; init; } = new();
}

internal sealed class ErrorBody
{
    public required string Error { get; init; }
}

/// <summary>The backend's JSON, source-generated for native AOT.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MatchmakeRequest))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(Ticket))]
[JsonSerializable(typeof(RoomPage))]
[JsonSerializable(typeof(NodeList))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class BackendJson : JsonSerializerContext;
