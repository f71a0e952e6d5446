using System.Globalization;

namespace Engine.LoadTest.Metrics;

/// <summary>One second of the run as the swarm saw it (the server's side is <see cref="ServerSample"/>).</summary>
internal sealed class SecondSample
{
    public int Second { get; init; }
    public double ElapsedSeconds { get; init; }
    public string Phase { get; init; } = "";
    public int Connected { get; init; }
    public int InRooms { get; init; }
    public int Spectating { get; init; }
    public int Playing { get; init; }
    public SwarmCounters Delta { get; init; }
    public Percentiles InputAck { get; init; }
    public Percentiles Rtt { get; init; }
    public Percentiles Jitter { get; init; }
    public Percentiles Handshake { get; init; }
    public Percentiles Chat { get; init; }
    public Percentiles SlotLag { get; init; }
    public long BytesUp { get; init; }
    public long BytesDown { get; init; }
    public long DatagramsUp { get; init; }
    public long DatagramsDown { get; init; }
    public long ClientKernelDrops { get; init; }
    public long Corrections { get; init; }
    public long Mispredictions { get; init; }

    /// <summary>Hostile: attack datagrams sent this second, per kind (null outside the hostile scenario).</summary>
    public long[]? AttackByKind { get; init; }

    /// <summary>A fleet run: the HTTP time of the matchmaking calls answered this second.</summary>
    public Percentiles Matchmaking { get; init; }
}

/// <summary>One second of the server, from /proc and its stats line.</summary>
internal sealed class ServerSample
{
    public int Second { get; init; }
    public double CpuPercent { get; init; }
    public double RssMb { get; init; }
    public double SwarmCpuPercent { get; init; }
    public double SwarmRssMb { get; init; }
    public long UdpRcvbufErrors { get; init; }
    public long UdpInErrors { get; init; }
    public ServerStats? Stats { get; init; }

    /// <summary>The engine's /metrics at this second (sessions, rooms, drops by reason); null when not scraped.</summary>
    public AdminSample? Admin { get; init; }

    /// <summary>A fleet run: every node as the backend listed it at this second (GET /v1/nodes); null when not read.</summary>
    public List<Fleet.NodeReading>? Nodes { get; init; }
}

/// <summary>The engine's stats line: `stats sessions=.. rooms=.. rx=../s tx=../s rx_bytes=.. tx_bytes=.. drops=.. kernel_drops=.. misrouted=.. tick_p99_us=.. tick_cpu_p99_us=.. tick_max_us=.. alloc=..` (and `tick_budget_us=..` where the engine prints it); a field an engine lacks reads -1.</summary>
internal sealed record ServerStats(long Sessions, long Rooms, long RxPerSecond, long TxPerSecond, long RxBytesPerSecond, long TxBytesPerSecond,
    long Drops, long KernelDrops, long Misrouted, long TickP99Us, long TickCpuP99Us, long TickMaxUs, long Allocated, long TickBudgetUs = -1)
{
    public static ServerStats? TryParse(string line)
    {
        var at = line.IndexOf("stats sessions=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var fields = new Dictionary<string, long>();
        foreach (var token in line[(at + 6)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }
            var value = token[(eq + 1)..];
            var slash = value.IndexOf('/');
            if (slash >= 0)
            {
                value = value[..slash];
            }
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                fields[token[..eq]] = v;
            }
        }
        long F(string k) => fields.GetValueOrDefault(k, -1);
        return new ServerStats(F("sessions"), F("rooms"), F("rx"), F("tx"), F("rx_bytes"), F("tx_bytes"), F("drops"), F("kernel_drops"),
            F("misrouted"), F("tick_p99_us"), F("tick_cpu_p99_us"), F("tick_max_us"), F("alloc"), F("tick_budget_us"));
    }
}
