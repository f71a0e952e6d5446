using Engine.LoadTest.Metrics;
using HdrHistogram;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// Merges the agents' streamed seconds into the seconds of one run, in order: second k is merged once
/// every agent still running has sent it (a lost or finished agent is merged with what it sent). Each
/// second's histograms are added, per latency set, into the second's own (its percentiles in the time
/// series), the open window's and the run's, exactly as a single swarm's sets record them; the counts
/// are added alike.
/// </summary>
internal sealed class RunMerger(IReadOnlyList<AgentTrack> agents)
{
    private const long Highest = 60_000_000;
    private readonly Dictionary<string, LongHistogram> _second = [];
    private readonly Dictionary<string, LongHistogram> _window = [];
    private readonly Dictionary<string, LongHistogram> _run = [];
    private SwarmCounters _runTotal;
    private long _clientKernelDrops;
    private WindowMark? _open;

    /// <summary>The next second to merge.</summary>
    public int Next { get; private set; } = 1;

    public SwarmCounters RunTotal => _runTotal;

    public long ClientKernelDrops => _clientKernelDrops;

    /// <summary>The last merged second's agents: how many sent it, their CPU (100% = one core) and RSS added up.</summary>
    public int Reporting { get; private set; }
    public double SwarmCpuPercent { get; private set; }
    public double SwarmRssMb { get; private set; }

    /// <summary>Every running agent has sent the next second, and some agent has.</summary>
    public bool Ready =>
        agents.All(a => a.Has(Next) || a.Status != AgentStatus.Running) && agents.Any(a => a.Has(Next));

    /// <summary>Seconds sent by no agent that is still running: nothing more will come.</summary>
    public bool Exhausted => agents.All(a => a.Status != AgentStatus.Running && !a.Has(Next));

    /// <summary>Merges the next second (call when <see cref="Ready"/>); the phase is the coordinator's.</summary>
    public SecondSample MergeNext(string phase)
    {
        foreach (var h in _second.Values)
        {
            h.Reset();
        }
        var delta = default(SwarmCounters);
        int connected = 0, inRooms = 0, playing = 0, spectating = 0;
        long bytesUp = 0, bytesDown = 0, datagramsUp = 0, datagramsDown = 0, kernelDrops = 0, corrections = 0, mispredictions = 0;
        Reporting = 0;
        SwarmCpuPercent = 0;
        SwarmRssMb = 0;
        foreach (var agent in agents)
        {
            if (agent.Take(Next) is not { } s)
            {
                continue;
            }
            CounterSum.Add(ref delta, s.Delta);
            connected += s.Connected;
            inRooms += s.InRooms;
            playing += s.Playing;
            spectating += s.Spectating;
            bytesUp += s.BytesUp;
            bytesDown += s.BytesDown;
            datagramsUp += s.DatagramsUp;
            datagramsDown += s.DatagramsDown;
            kernelDrops += s.ClientKernelDrops;
            corrections += s.Corrections;
            mispredictions += s.Mispredictions;
            agent.InRoomsLast = s.InRooms;
            agent.CpuPercent.Add(s.CpuPercent);
            Reporting++;
            SwarmCpuPercent += s.CpuPercent;
            SwarmRssMb += s.RssMb;
            foreach (var (name, encoded) in s.Histograms)
            {
                var histogram = HistogramTransport.Decode(encoded);
                Sum(_second, name).Add(histogram);
                Sum(_run, name).Add(histogram);
                if (_open is not null)
                {
                    Sum(_window, name).Add(histogram);
                    agent.WindowAcks += name == "input_ack" ? histogram.TotalCount : 0;
                }
            }
            if (_open is not null)
            {
                CounterSum.Add(ref agent.WindowCounters, s.Delta);
                agent.WindowDatagramsUp += s.DatagramsUp;
                agent.WindowDatagramsDown += s.DatagramsDown;
            }
        }
        CounterSum.Add(ref _runTotal, delta);
        _clientKernelDrops += kernelDrops;
        var sample = new SecondSample
        {
            Second = Next,
            ElapsedSeconds = Next,
            Phase = phase,
            Connected = connected,
            InRooms = inRooms,
            Playing = playing,
            Spectating = spectating,
            Delta = delta,
            InputAck = Of(_second, "input_ack"),
            Rtt = Of(_second, "rtt"),
            Jitter = Of(_second, "snapshot_jitter"),
            Handshake = Of(_second, "handshake"),
            Chat = Of(_second, "chat"),
            SlotLag = Of(_second, "slot_lag"),
            BytesUp = bytesUp,
            BytesDown = bytesDown,
            DatagramsUp = datagramsUp,
            DatagramsDown = datagramsDown,
            ClientKernelDrops = kernelDrops,
            Corrections = corrections,
            Mispredictions = mispredictions,
        };
        if (_open is { } open)
        {
            CounterSum.Add(ref open.Counters, delta);
            open.BytesUp += bytesUp;
            open.BytesDown += bytesDown;
            open.DatagramsUp += datagramsUp;
            open.DatagramsDown += datagramsDown;
            open.Corrections += corrections;
            open.Mispredictions += mispredictions;
            open.MinInRooms = Math.Min(open.MinInRooms, inRooms);
            open.Last = sample;
        }
        Next++;
        return sample;
    }

    /// <summary>Opens a measured window after the last merged second, as a single run's stage begins.</summary>
    public void OpenWindow(AdminSample? admin)
    {
        foreach (var h in _window.Values)
        {
            h.Reset();
        }
        _open = new WindowMark { StartSecond = Next - 1, Admin = admin };
    }

    public bool WindowOpen => _open is not null;

    public int WindowStart => _open?.StartSecond ?? 0;

    /// <summary>The window from its opening to the last merged second, with the server's /metrics at both edges.</summary>
    public WindowResult CloseWindow(string name, AdminSample? admin)
    {
        var open = _open ?? throw new InvalidOperationException("no window is open");
        _open = null;
        return new WindowResult
        {
            Name = name,
            StartSecond = open.StartSecond,
            EndSecond = Next - 1,
            Counters = open.Counters,
            BytesUp = open.BytesUp,
            BytesDown = open.BytesDown,
            DatagramsUp = open.DatagramsUp,
            DatagramsDown = open.DatagramsDown,
            Corrections = open.Corrections,
            Mispredictions = open.Mispredictions,
            Ack = Of(_window, "input_ack"),
            Rtt = Of(_window, "rtt"),
            Jitter = Of(_window, "snapshot_jitter"),
            Interarrival = Of(_window, "snapshot_interarrival"),
            Chat = Of(_window, "chat"),
            SlotLag = Of(_window, "slot_lag"),
            Handshake = Of(_window, "handshake"),
            MinInRooms = open.MinInRooms == int.MaxValue ? open.Last?.InRooms ?? 0 : open.MinInRooms,
            InRoomsEnd = open.Last?.InRooms ?? 0,
            ConnectedEnd = open.Last?.Connected ?? 0,
            SpectatingEnd = open.Last?.Spectating ?? 0,
            AdminStart = open.Admin,
            AdminEnd = admin,
        };
    }

    /// <summary>A whole-run distribution (handshake, join), merged from every second.</summary>
    public Percentiles Run(string name) => Of(_run, name);

    /// <summary>The merged histogram itself (what the tests compare with one built from every sample).</summary>
    public HistogramBase? RunHistogram(string name) => _run.GetValueOrDefault(name);

    private static LongHistogram Sum(Dictionary<string, LongHistogram> sums, string name)
    {
        if (!sums.TryGetValue(name, out var h))
        {
            sums[name] = h = new LongHistogram(Highest, 3);
        }
        return h;
    }

    private static Percentiles Of(Dictionary<string, LongHistogram> sums, string name) =>
        sums.TryGetValue(name, out var h) ? Percentiles.Of(h) : default;

    private sealed class WindowMark
    {
        public int StartSecond;
        public SwarmCounters Counters;
        public long BytesUp;
        public long BytesDown;
        public long DatagramsUp;
        public long DatagramsDown;
        public long Corrections;
        public long Mispredictions;
        public int MinInRooms = int.MaxValue;
        public SecondSample? Last;
        public AdminSample? Admin;
    }
}
