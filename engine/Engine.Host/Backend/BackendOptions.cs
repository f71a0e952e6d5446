using System.Globalization;
using System.Net;
using Engine.Fleet.Redis;
using Engine.Host.Configuration;

namespace Engine.Host.Backend;

/// <summary>`engine backend`'s options, from the command line or ENGINE_* variables (the command line wins).</summary>
internal sealed class BackendOptions
{
    public const string DefaultHttp = "127.0.0.1:8080";

    /// <summary>The bearer key is a shared secret; shorter ones are guessable.</summary>
    public const int MinApiKeyLength = 32;

    public required DirectoryAddress Directory { get; init; }
    public required byte[] TokenKey { get; init; }
    public required string ApiKey { get; init; }
    public required IPEndPoint Http { get; init; }
    public ulong ProtocolId { get; init; }
    public int TokenLifetimeSeconds { get; init; } = 30;
    public string LogLevel { get; init; } = "information";

    public const string Usage = """
        usage: engine backend --directory redis://HOST:PORT --token-key-file PATH --api-key-file PATH [options]

        The HTTP service a game's backend calls to place players in the fleet (docs/FLEET.md):
        POST /v1/matchmake, GET /v1/rooms, POST /v1/rooms/{id}/join; each answers a connect token.

          --directory URL            the fleet's directory, redis://HOST:PORT[/DB] (or ENGINE_DIRECTORY)
          --token-key HEX            the nodes' 32-byte token key, 64 hex digits (or ENGINE_TOKEN_KEY)
          --token-key-file PATH      file holding that key
          --api-key-file PATH        file holding the bearer key callers present (at least 32 characters; or ENGINE_BACKEND_API_KEY)
          --http ADDRESS:PORT        where to listen (default: 127.0.0.1:8080)
          --protocol-id N            the game's protocol id, as the nodes' (default: 0)
          --token-lifetime-seconds N how long a token may wait before its player connects (default: 30)
          --log-level LEVEL          trace, debug, information, warning, error (default: information)
        """;

    public static BackendOptions Parse(string[] args, IReadOnlyDictionary<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!Known.Contains(name))
            {
                throw new ConfigurationError($"unknown option '{name}' (see engine backend --help)");
            }
            if (i + 1 >= args.Length)
            {
                throw new ConfigurationError($"{name} needs a value");
            }
            values[name] = args[++i];
        }
        string? Get(string option, string variable) => values.GetValueOrDefault(option) ?? environment.GetValueOrDefault(variable);

        var directoryText = Get("--directory", "ENGINE_DIRECTORY") ?? throw new ConfigurationError("--directory: required (redis://HOST:PORT)");
        if (!DirectoryAddress.TryParse(directoryText, out var directory, out var error))
        {
            throw new ConfigurationError($"--directory: {error}");
        }
        var keyFile = values.GetValueOrDefault("--token-key-file");
        var tokenKey = ConfigurationLoader.ReadTokenKey(values.GetValueOrDefault("--token-key") ?? (keyFile is null ? environment.GetValueOrDefault("ENGINE_TOKEN_KEY") : null), keyFile)
            ?? throw new ConfigurationError("--token-key: required, the nodes' key (--token-key-file PATH, --token-key HEX or ENGINE_TOKEN_KEY)");
        var apiKey = ReadApiKey(values.GetValueOrDefault("--api-key-file"), environment.GetValueOrDefault("ENGINE_BACKEND_API_KEY"));
        var httpText = Get("--http", "ENGINE_BACKEND_HTTP") ?? DefaultHttp;
        if (!IPEndPoint.TryParse(httpText, out var http))
        {
            throw new ConfigurationError($"--http: '{httpText}' is not ADDRESS:PORT (example: 127.0.0.1:8080)");
        }
        var protocolText = Get("--protocol-id", "ENGINE_PROTOCOL_ID") ?? "0";
        if (!ulong.TryParse(protocolText, NumberStyles.None, CultureInfo.InvariantCulture, out var protocolId))
        {
            throw new ConfigurationError($"--protocol-id: '{protocolText}' is not an unsigned whole number");
        }
        var lifetimeText = Get("--token-lifetime-seconds", "ENGINE_TOKEN_LIFETIME_SECONDS") ?? "30";
        if (!int.TryParse(lifetimeText, NumberStyles.None, CultureInfo.InvariantCulture, out var lifetime) || lifetime is < 5 or > 3600)
        {
            throw new ConfigurationError($"--token-lifetime-seconds: '{lifetimeText}' is not a whole number in 5..3600");
        }
        var logLevel = Get("--log-level", "ENGINE_LOG_LEVEL") ?? "information";
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(logLevel, ignoreCase: true, out _))
        {
            throw new ConfigurationError($"--log-level: '{logLevel}' is not one of trace, debug, information, warning, error, critical");
        }
        return new BackendOptions
        {
            Directory = directory!,
            TokenKey = tokenKey,
            ApiKey = apiKey,
            Http = http,
            ProtocolId = protocolId,
            TokenLifetimeSeconds = lifetime,
            LogLevel = logLevel,
        };
    }

    private static readonly HashSet<string> Known =
        ["--directory", "--token-key", "--token-key-file", "--api-key-file", "--http", "--protocol-id", "--token-lifetime-seconds", "--log-level"];

    private static string ReadApiKey(string? file, string? fromEnvironment)
    {
        var key = fromEnvironment;
        if (file is not null)
        {
            try
            {
                key = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new ConfigurationError($"--api-key-file: cannot read '{file}': {ex.Message}");
            }
        }
        key = key?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            throw new ConfigurationError("--api-key-file: required, the bearer key callers present (or ENGINE_BACKEND_API_KEY)");
        }
        return key.Length >= MinApiKeyLength
            ? key
            : throw new ConfigurationError($"--api-key-file: the key must be at least {MinApiKeyLength} characters (openssl rand -hex 32 makes one)");
    }
}
