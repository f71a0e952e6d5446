using System.Globalization;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// The AOT engine in echo mode; it prints a stats line with alloc= on SIGUSR1. Secure (connect tokens,
/// sealed packets) with a throwaway key unless <c>--insecure</c> was asked for.
/// </summary>
internal sealed class EngineServerProcess : ServerProcess
{
    public EngineServerProcess(string enginePath, int port, int shards, int clients, byte[]? tokenKey)
        : base(enginePath, Arguments(port, shards, clients, tokenKey), redirectInput: false)
    {
    }

    private static IEnumerable<string> Arguments(int port, int shards, int clients, byte[]? tokenKey)
    {
        if (tokenKey is null)
        {
            yield return "--insecure";
        }
        else
        {
            yield return "--token-key";
            yield return Convert.ToHexString(tokenKey);
        }
        yield return "--bind";
        yield return "127.0.0.1";
        yield return "--port";
        yield return port.ToString(CultureInfo.InvariantCulture);
        yield return "--shards";
        yield return shards.ToString(CultureInfo.InvariantCulture);
        yield return "--echo";
        // No admin endpoint: it would take port 9100 and is not what is measured.
        yield return "--admin-port";
        yield return "0";
        // Every client comes from 127.0.0.1; the default per-address cap (256) would refuse most of them.
        yield return "--max-sessions-per-address";
        yield return Math.Max(256, clients).ToString(CultureInfo.InvariantCulture);
        // A benchmark floods by design: the abuse limits (per address, per session, per shard) are off.
        foreach (var limit in new[] { "--packets-per-second-per-address", "--handshakes-per-second-per-address", "--packets-per-second-per-session", "--shard-packets-per-second" })
        {
            yield return limit;
            yield return "0";
        }
    }

    public override long? ReadAllocatedBytes(TimeSpan timeout)
    {
        DiscardPendingLines();
        Native.Kill(Pid, Native.SigUsr1);
        string? line = WaitForLineContaining("alloc=", timeout);
        return line is null ? null : ParseField(line, "alloc=");
    }

    internal static long? ParseField(string line, string key)
    {
        int at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
            return null;
        ReadOnlySpan<char> rest = line.AsSpan(at + key.Length);
        int end = 0;
        while (end < rest.Length && char.IsAsciiDigit(rest[end]))
            end++;
        return long.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v : null;
    }
}
