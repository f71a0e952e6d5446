using System.Net;
using Engine.Fleet.Records;
using Engine.Fleet.Redis;
using Engine.Server;

namespace Engine.Host.Fleet;

/// <summary>A node's place in a fleet: the directory it registers in, under which id, with which labels and game mode. No directory = a lone node.</summary>
internal sealed class FleetOptions
{
    public const int DefaultTtlMs = 10_000;
    public const string DefaultGameMode = "arena";

    public string Directory { get; set; } = "";
    public string NodeId { get; set; } = "";
    public string NodeLabels { get; set; } = "";
    public string GameMode { get; set; } = DefaultGameMode;
    public int DirectoryTtlMs { get; set; } = DefaultTtlMs;

    public bool IsEnabled => Directory.Length > 0;

    /// <summary>The parsed directory URL (valid after <see cref="Validate"/> found no error).</summary>
    public DirectoryAddress? Address { get; private set; }

    /// <summary>The parsed labels (valid after <see cref="Validate"/>).</summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>Every problem with these options, one message each; parses the directory URL and the labels on the way.</summary>
    public IReadOnlyList<string> Validate(ServerOptions server)
    {
        var errors = new List<string>();
        if (!IsEnabled)
        {
            return errors;
        }
        if (!DirectoryAddress.TryParse(Directory, out var address, out var error))
        {
            errors.Add($"directory: {error}");
        }
        Address = address;
        if (NodeId.Length > 0 && !NodeIds.IsValid(NodeId))
        {
            errors.Add($"node-id: '{NodeId}' must be 1 to {NodeIds.MaxLength} letters, digits, '.', '_' or '-'");
        }
        if (!TryParseLabels(NodeLabels, Labels, out error))
        {
            errors.Add($"node-labels: {error}");
        }
        if (GameMode.Length == 0 || !NodeIds.IsValid(GameMode))
        {
            errors.Add($"game-mode: '{GameMode}' must be 1 to {NodeIds.MaxLength} letters, digits, '.', '_' or '-'");
        }
        if (DirectoryTtlMs is < 1000 or > 600_000)
        {
            errors.Add($"directory-ttl-ms: {DirectoryTtlMs} is out of range (1000..600000)");
        }
        // Tokens name the address players connect to; a wildcard listen address is not one.
        if (string.IsNullOrEmpty(server.PublicAddress) && IPAddress.TryParse(server.Bind, out var bind)
            && (bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any)))
        {
            errors.Add("public-address: a node in a fleet (--directory) must say where players reach it: --public-address ADDRESS:PORT, or --bind a specific address");
        }
        return errors;
    }

    /// <summary>"region=eu-west,zone=b": comma-separated key=value pairs.</summary>
    internal static bool TryParseLabels(string text, Dictionary<string, string> into, out string error)
    {
        error = "";
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? pair[..equals].Trim() : "";
            var value = equals > 0 ? pair[(equals + 1)..].Trim() : "";
            if (!NodeIds.IsValid(key) || value.Length is 0 or > 128 || value.Any(char.IsControl))
            {
                error = $"'{pair}' is not key=value (example: region=eu-west,zone=b)";
                return false;
            }
            into[key] = value;
        }
        return true;
    }
}
