namespace Engine.Fleet.Records;

/// <summary>Node ids and the fleet-wide room ids made from them ("node-a:12").</summary>
public static class NodeIds
{
    public const int MaxLength = 64;

    /// <summary>Letters, digits, '.', '_' and '-': safe in a Redis key and in a URL path, and never containing the ':' of a room id.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= MaxLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>A default id: the host name (a pod's name on Kubernetes) and a random suffix, so that two nodes on one host differ and a restarted node is a new one.</summary>
    public static string NewDefault()
    {
        var host = new string(Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-').Take(48).ToArray());
        return $"{(host.Length > 0 ? host : "node")}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
    }

    public static string RoomId(string nodeId, uint roomId) => $"{nodeId}:{roomId}";

    public static bool TryParseRoomId(string text, out string nodeId, out uint roomId)
    {
        var colon = text.LastIndexOf(':');
        nodeId = colon > 0 ? text[..colon] : "";
        roomId = 0;
        return colon > 0 && IsValid(nodeId) && uint.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out roomId);
    }
}
