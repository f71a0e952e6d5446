using System.Globalization;
using Engine.Host.Agones;
using Engine.Protocol.Security;
using Engine.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Configuration;

/// <summary>
/// Reads options from the JSON file, ENGINE_* environment variables and the command line (in that
/// order of precedence, last wins), binds them with the configuration binder's source generator and
/// validates them. Any problem becomes a <see cref="ConfigurationError"/> with one clear message.
/// </summary>
internal static class ConfigurationLoader
{
    public static HostSettings Load(string[] args, IDictionary<string, string?>? environment = null)
    {
        var commandLine = ParseCommandLine(args);
        environment ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);

        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var option in OptionTable.All)
        {
            if (environment.TryGetValue(option.EnvironmentVariable, out var value))
            {
                fromEnvironment[option.Key] = value;
            }
        }

        commandLine.TryGetValue("config", out var configFile);
        configFile ??= fromEnvironment.GetValueOrDefault("config");

        var builder = new ConfigurationBuilder();
        if (!string.IsNullOrEmpty(configFile))
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new ConfigurationError($"config: file '{configFile}' does not exist");
            }
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(commandLine.ToDictionary(kv => OptionTable.Find(kv.Key)!.Key, kv => (string?)kv.Value));

        IConfigurationRoot raw;
        try
        {
            raw = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException)
        {
            throw new ConfigurationError($"config: cannot read '{configFile}': {ex.GetBaseException().Message}");
        }

        // File keys may be written "max-payload", "max_payload" or "MaxPayload": fold them to one spelling.
        var normalized = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in raw.AsEnumerable())
        {
            var folded = key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            if (value is null)
            {
                continue;
            }
            if (OptionTable.All.All(o => !string.Equals(o.Key, folded, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ConfigurationError($"config: unknown option '{key}' (see engine --help)");
            }
            normalized[folded] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(normalized).Build();

        var settings = new HostSettings();
        foreach (var option in OptionTable.All)
        {
            var value = configuration[option.Key];
            if (value is not null && option.Default?.Invoke(settings.Server) is int && !int.TryParse(value, out _))
            {
                throw new ConfigurationError($"{option.Name}: '{value}' is not a whole number");
            }
            if (value is not null && option.Default?.Invoke(settings.Server) is bool && !bool.TryParse(value, out _))
            {
                throw new ConfigurationError($"{option.Name}: '{value}' is not true or false");
            }
        }
        try
        {
            configuration.Bind(settings.Server);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationError($"config: {ex.Message}");
        }
        settings.LogLevel = configuration["loglevel"] ?? settings.LogLevel;
        settings.LogFormat = configuration["logformat"] ?? settings.LogFormat;
        if (configuration["adminport"] is { } adminPort)
        {
            settings.Admin.Port = int.TryParse(adminPort, out var port)
                ? port
                : throw new ConfigurationError($"admin-port: '{adminPort}' is not a whole number");
        }
        settings.Admin.Bind = configuration["adminbind"] ?? settings.Admin.Bind;
        // Whole numbers and flags were checked above.
        if (configuration["draintimeoutseconds"] is { } drainTimeout)
        {
            settings.Drain.TimeoutSeconds = int.Parse(drainTimeout, CultureInfo.InvariantCulture);
        }
        settings.Agones.Enabled = configuration["agones"] is { } agones && bool.Parse(agones);
        settings.Agones.SdkAddress = configuration["agonessdkaddress"]
            ?? AgonesOptions.DefaultAddressFor(environment.TryGetValue(AgonesOptions.PortVariable, out var agonesPort) ? agonesPort : null);
        ReadFleet(configuration, settings.Fleet);
        settings.Server.ConnectTokenKey = ReadTokenKey(configuration["tokenkey"], configuration["tokenkeyfile"]);

        var errors = settings.Server.Validate().ToList();
        errors.AddRange(settings.Admin.Validate());
        errors.AddRange(settings.Drain.Validate());
        errors.AddRange(settings.Agones.Validate());
        errors.AddRange(settings.Fleet.Validate(settings.Server));
        if (!Enum.TryParse<LogLevel>(settings.LogLevel, ignoreCase: true, out _))
        {
            errors.Add($"log-level: '{settings.LogLevel}' is not one of trace, debug, information, warning, error, critical");
        }
        if (settings.LogFormat is not ("console" or "json"))
        {
            errors.Add($"log-format: '{settings.LogFormat}' is not console or json");
        }
        if (errors.Count > 0)
        {
            throw new ConfigurationError(string.Join(Environment.NewLine, errors));
        }
        return settings;
    }

    private static void ReadFleet(IConfiguration configuration, Engine.Host.Fleet.FleetOptions fleet)
    {
        fleet.Directory = configuration["directory"] ?? fleet.Directory;
        fleet.NodeId = configuration["nodeid"] ?? fleet.NodeId;
        fleet.NodeLabels = configuration["nodelabels"] ?? fleet.NodeLabels;
        fleet.GameMode = configuration["gamemode"] ?? fleet.GameMode;
        if (configuration["directoryttlms"] is { } ttl)
        {
            fleet.DirectoryTtlMs = int.TryParse(ttl, out var ms) ? ms : throw new ConfigurationError($"directory-ttl-ms: '{ttl}' is not a whole number");
        }
    }

    /// <summary>The token key from its hex text or from a file holding that text; null when neither is given.</summary>
    internal static byte[]? ReadTokenKey(string? hex, string? file)
    {
        if (!string.IsNullOrEmpty(hex) && !string.IsNullOrEmpty(file))
        {
            throw new ConfigurationError("token-key: give the key or a key file, not both");
        }
        var name = "token-key";
        if (!string.IsNullOrEmpty(file))
        {
            name = "token-key-file";
            try
            {
                hex = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new ConfigurationError($"token-key-file: cannot read '{file}': {ex.Message}");
            }
        }
        if (string.IsNullOrEmpty(hex))
        {
            return null;
        }
        return TryParseKey(hex, out var key)
            ? key
            : throw new ConfigurationError($"{name}: the key must be {Engine.Protocol.Security.SecurityConstants.KeySize} bytes written as {2 * Engine.Protocol.Security.SecurityConstants.KeySize} hex digits");
    }

    /// <summary>A 32-byte key as 64 hex digits (surrounding white space ignored).</summary>
    internal static bool TryParseKey(string hex, out byte[] key)
    {
        key = [];
        hex = hex.Trim();
        if (hex.Length != 2 * SecurityConstants.KeySize)
        {
            return false;
        }
        try
        {
            key = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>"--name value", "--name=value" and bare flags; anything else is an error.</summary>
    internal static Dictionary<string, string> ParseCommandLine(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ConfigurationError($"unexpected argument '{arg}' (options look like --port 7777; see engine --help)");
            }
            var body = arg.Substring(2);
            string name;
            string? value = null;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                name = body.Substring(0, equals);
                value = body.Substring(equals + 1);
            }
            else
            {
                name = body;
            }
            var option = OptionTable.Find(name) ?? throw new ConfigurationError($"unknown option '--{name}' (see engine --help)");
            if (value is null)
            {
                if (option.IsFlag)
                {
                    value = "true";
                }
                else if (i + 1 < args.Length)
                {
                    value = args[++i];
                }
                else
                {
                    throw new ConfigurationError($"--{option.Name} needs a value");
                }
            }
            values[option.Name] = value;
        }
        return values;
    }
}

/// <summary>Bad arguments or configuration: the message is printed as it is and the host exits with code 2.</summary>
internal sealed class ConfigurationError(string message) : Exception(message);
