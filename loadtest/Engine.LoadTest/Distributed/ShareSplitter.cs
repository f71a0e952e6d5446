using System.Globalization;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// Cuts a run into one share per agent: players as evenly as they go, consecutive player-id ranges,
/// source addresses of each agent's own, and every swarm-wide rate (connects, joins, churn) split in
/// proportion to the players, so that together the agents do what one swarm would.
/// </summary>
internal static class ShareSplitter
{
    /// <summary>Options that belong to the server the coordinator starts or attaches to, or that each share sets for itself.</summary>
    private static readonly HashSet<string> s_notPassed =
    [
        "--engine", "--server", "--server-pid", "--server-admin", "--token-key", "--reports", "--baseline", "--shards",
        "--engine-timeout-ms", "--tick-budget-us", "--reconnect-window-ms", "--empty-room-grace-ms",
        "--players", "--first-player-id", "--source-address-offset", "--duration", "--connect-rate", "--join-rate",
        "--move-rate", "--leave-rate", "--reconnect-rate",
    ];

    /// <summary>
    /// The shares, in agent order. <paramref name="runArguments"/> is the coordinator's command line for
    /// the run; <paramref name="server"/> HOST:PORT and <paramref name="tokenKey"/> are the server's.
    /// Each agent runs for <paramref name="agentSeconds"/> at most: the coordinator stops it at the end of its window.
    /// </summary>
    public static List<AgentShare> Split(LoadTestOptions o, IReadOnlyList<string> runArguments, int agents, string runId, string server,
        byte[]? tokenKey, int agentSeconds, DateTimeOffset startAt, int heartbeatTimeoutSeconds)
    {
        var inv = CultureInfo.InvariantCulture;
        var passed = Passed(runArguments);
        var shares = new List<AgentShare>(agents);
        var firstId = o.FirstPlayerId;
        for (var k = 0; k < agents; k++)
        {
            var players = (o.Players / agents) + (k < o.Players % agents ? 1 : 0);
            var fraction = players / (double)o.Players;
            var addressOffset = o.SourceAddressOffset + (k * o.AddressCount);
            List<string> args =
            [
                .. passed,
                "--players", players.ToString(inv),
                "--first-player-id", firstId.ToString(inv),
                "--source-address-offset", addressOffset.ToString(inv),
                "--server", server,
                "--duration", agentSeconds.ToString(inv),
                "--connect-rate", Math.Max(1, (int)Math.Round(o.ConnectRate * fraction)).ToString(inv),
                "--join-rate", Math.Max(1, (int)Math.Round(o.JoinRate * fraction)).ToString(inv),
                "--move-rate", (o.MoveRate * fraction).ToString(inv),
                "--leave-rate", (o.LeaveRate * fraction).ToString(inv),
                "--reconnect-rate", (o.ReconnectRate * fraction).ToString(inv),
            ];
            if (tokenKey is not null)
            {
                args.AddRange(["--token-key", Convert.ToHexString(tokenKey)]);
            }
            shares.Add(new AgentShare(runId, k, agents, players, firstId, addressOffset, [.. args], startAt.ToUnixTimeMilliseconds(), heartbeatTimeoutSeconds * 1000));
            firstId += players;
        }
        return shares;
    }

    /// <summary>The run's arguments without those the shares set themselves or that only the coordinator uses.</summary>
    private static List<string> Passed(IReadOnlyList<string> args)
    {
        var passed = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i].Split('=', 2)[0];
            if (!s_notPassed.Contains(name))
            {
                passed.Add(args[i]);
            }
            else if (!args[i].Contains('=', StringComparison.Ordinal))
            {
                i++; // its value
            }
        }
        return passed;
    }

    /// <summary>The run's sockets as the agents open them: each parses its share's command line, so the sum is what they bind.</summary>
    public static SocketLayout Layout(IEnumerable<AgentShare> shares) =>
        SocketLayout.Sum([.. shares.Select(s => SocketLayout.Of(LoadTestOptions.Parse(s.Arguments)))]);

    /// <summary>
    /// The source addresses a share's sockets bind on a loopback server (as the swarm's SocketPool numbers
    /// them): as many as its own layout uses, so an agent with fewer players than addresses names only theirs.
    /// </summary>
    public static string Addresses(AgentShare share)
    {
        static string Address(int n) => $"127.0.{n >> 8}.{n & 0xFF}";
        var addresses = SocketLayout.Of(LoadTestOptions.Parse(share.Arguments)).Addresses;
        return $"{Address(2 + share.SourceAddressOffset)} .. {Address(2 + share.SourceAddressOffset + addresses - 1)}";
    }
}
