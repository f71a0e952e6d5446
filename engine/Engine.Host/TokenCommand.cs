using System.Globalization;
using System.Net;
using Engine.Host.Configuration;
using Engine.Protocol.Security;

namespace Engine.Host;

/// <summary>
/// <c>engine token</c>: issues a connect token with the key shared with the servers and prints its
/// base64 form, for tests and for backends that want a reference to compare their own tokens with.
/// </summary>
internal static class TokenCommand
{
    private const string Usage = """
        usage: engine token --key HEX --player-id N --server ADDRESS:PORT [options]

        Prints a connect token (base64) for one player. A backend issues the same with
        Engine.Protocol.Security.ConnectToken.Issue; a client connects with EngineClient.Connect(token).

          --key HEX              the 32-byte token key as 64 hex digits (or ENGINE_TOKEN_KEY)
          --key-file PATH        file holding the key
          --player-id N          the player's id (unsigned 64-bit)
          --server ADDRESS:PORT  a server the token admits to; repeat for up to 4
          --expires-in SECONDS   lifetime (default: 30)
          --protocol-id N        the game's protocol id (default: 0, as the server's default)
          --connect-timeout S    how long the client tries to connect (default: 5)
        """;

    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(Usage);
            return EngineHost.ExitOk;
        }
        try
        {
            var token = Issue(args, Environment.GetEnvironmentVariable("ENGINE_TOKEN_KEY"));
            Console.Out.WriteLine(token.ToBase64());
            return EngineHost.ExitOk;
        }
        catch (ConfigurationError error)
        {
            Console.Error.WriteLine($"engine token: {error.Message}");
            return EngineHost.ExitBadConfiguration;
        }
    }

    internal static ConnectToken Issue(string[] args, string? environmentKey)
    {
        string? key = null, keyFile = null, playerId = null, expiresIn = null, protocolId = null, connectTimeout = null;
        var servers = new List<IPEndPoint>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ConfigurationError(name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unexpected argument '{name}' (see engine token --help)");
            }
            var value = args[++i];
            switch (name)
            {
                case "--key": key = value; break;
                case "--key-file": keyFile = value; break;
                case "--player-id": playerId = value; break;
                case "--expires-in": expiresIn = value; break;
                case "--protocol-id": protocolId = value; break;
                case "--connect-timeout": connectTimeout = value; break;
                case "--server":
                    if (!IPEndPoint.TryParse(value, out var server) || server.Port == 0)
                    {
                        throw new ConfigurationError($"--server: '{value}' is not an address with a port (example: 127.0.0.1:7777)");
                    }
                    servers.Add(server);
                    break;
                default:
                    throw new ConfigurationError($"unknown option '{name}' (see engine token --help)");
            }
        }
        var keyBytes = ConfigurationLoader.ReadTokenKey(key ?? (keyFile is null ? environmentKey : null), keyFile)
            ?? throw new ConfigurationError("--key: no key given (--key HEX, --key-file PATH or ENGINE_TOKEN_KEY)");
        if (playerId is null || !ulong.TryParse(playerId, NumberStyles.None, CultureInfo.InvariantCulture, out var player))
        {
            throw new ConfigurationError(playerId is null ? "--player-id: required" : $"--player-id: '{playerId}' is not an unsigned whole number");
        }
        if (servers.Count is 0 or > SecurityConstants.MaxServerAddresses)
        {
            throw new ConfigurationError($"--server: give 1 to {SecurityConstants.MaxServerAddresses} server addresses");
        }
        var lifetime = Number("--expires-in", expiresIn, 30, 1, 7 * 24 * 3600);
        var timeout = Number("--connect-timeout", connectTimeout, 5, 1, 3600);
        ulong protocol = 0;
        if (protocolId is not null && !ulong.TryParse(protocolId, NumberStyles.None, CultureInfo.InvariantCulture, out protocol))
        {
            throw new ConfigurationError($"--protocol-id: '{protocolId}' is not an unsigned whole number");
        }
        return ConnectToken.Issue(keyBytes, player, servers, TimeSpan.FromSeconds(lifetime), protocol, timeout);
    }

    private static int Number(string name, string? text, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ConfigurationError($"{name}: '{text}' is not a whole number in {min}..{max}");
    }
}
