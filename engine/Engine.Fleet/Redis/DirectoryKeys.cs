namespace Engine.Fleet.Redis;

/// <summary>The directory's keys in Redis (docs/FLEET.md lists them with their TTLs).</summary>
internal static class DirectoryKeys
{
    /// <summary>Sorted set: node id, scored by the Unix millisecond its record expires. Readers take the members not yet expired.</summary>
    public const string Nodes = "engine:fleet:nodes";

    /// <summary>String: the node's record as JSON (<see cref="Records.NodeRecord"/>), with the record's TTL.</summary>
    public static string Node(string nodeId) => "engine:fleet:node:" + nodeId;
}
