using System.Globalization;
using StackExchange.Redis;

namespace Engine.Fleet.Redis;

/// <summary>Where the directory lives: redis://[[user]:password@]host:port[/database].</summary>
public sealed class DirectoryAddress
{
    public const int DefaultPort = 6379;

    private DirectoryAddress(string host, int port, string? user, string? password, int database)
    {
        Host = host;
        Port = port;
        User = user;
        Password = password;
        Database = database;
    }

    public string Host { get; }
    public int Port { get; }
    public string? User { get; }
    public string? Password { get; }
    public int Database { get; }

    /// <summary>Parses the URL or says in one line what is wrong with it.</summary>
    public static bool TryParse(string text, out DirectoryAddress? address, out string error)
    {
        address = null;
        error = "";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' is not a redis:// URL (example: redis://127.0.0.1:6379)";
            return false;
        }
        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
        {
            error = $"'{text}': the path must be a database number 0..15 (example: redis://127.0.0.1:6379/0)";
            return false;
        }
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var info = Uri.UnescapeDataString(uri.UserInfo);
            var colon = info.IndexOf(':', StringComparison.Ordinal);
            (user, password) = colon < 0 ? (null, info) : (info[..colon], info[(colon + 1)..]);
            user = string.IsNullOrEmpty(user) ? null : user;
        }
        address = new DirectoryAddress(uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port, user, password, database);
        return true;
    }

    /// <summary>
    /// The client's settings: it never gives up on an unreachable server (it keeps reconnecting in
    /// the background) and each command fails fast, so a Redis outage costs a renewal, not a stall.
    /// </summary>
    internal ConfigurationOptions ToOptions() => new()
    {
        EndPoints = { { Host, Port } },
        User = User,
        Password = Password,
        DefaultDatabase = Database,
        AbortOnConnectFail = false,
        ConnectTimeout = 2000,
        SyncTimeout = 2000,
        AsyncTimeout = 2000,
        ConnectRetry = 1,
        KeepAlive = 5,
        ClientName = "engine",
        ReconnectRetryPolicy = new LinearRetry(500),
        // Commands fail at once while disconnected instead of queueing for a reconnect: a renewal that
        // cannot be written now is worthless later (the next one carries fresher counts).
        BacklogPolicy = BacklogPolicy.FailFast,
    };

    /// <summary>The URL without its password, for logs.</summary>
    public override string ToString() => $"redis://{Host}:{Port}/{Database}";
}
