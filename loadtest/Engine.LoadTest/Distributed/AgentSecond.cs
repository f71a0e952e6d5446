using Engine.LoadTest.Metrics;
using Engine.LoadTest.Swarm;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// One second of one agent, as it streams it to the coordinator: the swarm's counts for the second
/// and each latency set's HdrHistogram of the second (<see cref="HistogramTransport"/>), so the
/// coordinator merges distributions, never percentiles. It is also the agent's proof of life.
/// </summary>
internal sealed class AgentSecond
{
    public int Second { get; init; }
    public string Phase { get; init; } = "";
    public int Connected { get; init; }
    public int InRooms { get; init; }
    public int Playing { get; init; }
    public int Spectating { get; init; }
    public SwarmCounters Delta { get; init; }
    public long BytesUp { get; init; }
    public long BytesDown { get; init; }
    public long DatagramsUp { get; init; }
    public long DatagramsDown { get; init; }
    public long ClientKernelDrops { get; init; }
    public long Corrections { get; init; }
    public long Mispredictions { get; init; }

    /// <summary>Whole-run figures as they stand at this second (a lost agent's last word on them).</summary>
    public long ClientSendDrops { get; init; }
    public long MaxCorrectionMm { get; init; }

    /// <summary>The agent process's CPU over the second (100% = one core) and its RSS.</summary>
    public double CpuPercent { get; init; }
    public double RssMb { get; init; }

    /// <summary>By <see cref="LatencySet.Name"/>: the second's histogram, encoded; sets with nothing recorded are left out.</summary>
    public Dictionary<string, byte[]> Histograms { get; init; } = [];

    /// <summary>The second the swarm thread just closed; the sets' last intervals hold it until the next close.</summary>
    public static AgentSecond From(SecondSample s, PlayerSwarm swarm, double cpuPercent, double rssMb, HistogramTransport transport)
    {
        var histograms = new Dictionary<string, byte[]>();
        foreach (var set in LatencySets(swarm))
        {
            if (set.LastInterval.TotalCount > 0)
            {
                histograms[set.Name] = transport.Encode(set.LastInterval);
            }
        }
        var sockets = swarm.Sockets.TotalCounters();
        return new AgentSecond
        {
            Second = s.Second,
            Phase = s.Phase,
            Connected = s.Connected,
            InRooms = s.InRooms,
            Playing = s.Playing,
            Spectating = s.Spectating,
            Delta = s.Delta,
            BytesUp = s.BytesUp,
            BytesDown = s.BytesDown,
            DatagramsUp = s.DatagramsUp,
            DatagramsDown = s.DatagramsDown,
            ClientKernelDrops = s.ClientKernelDrops,
            Corrections = s.Corrections,
            Mispredictions = s.Mispredictions,
            ClientSendDrops = sockets.SendDrops,
            MaxCorrectionMm = swarm.Netcode.MaxCorrectionMm,
            CpuPercent = cpuPercent,
            RssMb = rssMb,
            Histograms = histograms,
        };
    }

    private static LatencySet[] LatencySets(PlayerSwarm swarm) =>
        [swarm.Ack, swarm.Rtt, swarm.Jitter, swarm.Interarrival, swarm.Handshake, swarm.JoinTime, swarm.Chat, swarm.SlotLag];
}
