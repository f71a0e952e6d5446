using System.Diagnostics;
using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Distributed;

/// <summary>The coordinator's view of one agent: its share, what it has streamed, when it was last heard and what became of it.</summary>
internal sealed class AgentTrack(AgentHello hello, AgentShare share)
{
    private readonly Dictionary<int, AgentSecond> _seconds = [];
    private long _lastHeard = Stopwatch.GetTimestamp();

    public AgentHello Hello { get; } = hello;
    public AgentShare Share { get; } = share;
    public string Id => Hello.Id;
    public AgentStatus Status { get; private set; } = AgentStatus.Running;

    /// <summary>Why it was lost, or why it stopped by itself; null while running or when it finished as told.</summary>
    public string? Reason { get; private set; }

    /// <summary>The newest second it streamed (0 before its first).</summary>
    public int LastSecond { get; private set; }

    /// <summary>Its seconds within the measured window, added up as they are merged (what the report's agent table shows).</summary>
    public SwarmCounters WindowCounters;
    public long WindowDatagramsUp { get; set; }
    public long WindowDatagramsDown { get; set; }
    public long WindowAcks { get; set; }
    public int InRoomsLast { get; set; }
    public List<double> CpuPercent { get; } = [];

    /// <summary>Whole-run figures as it last streamed them.</summary>
    public long ClientSendDrops { get; private set; }
    public long MaxCorrectionMm { get; private set; }

    public double SilentSeconds => Stopwatch.GetElapsedTime(_lastHeard).TotalSeconds;

    public void Heard() => _lastHeard = Stopwatch.GetTimestamp();

    public void Add(AgentSecond second)
    {
        Heard();
        _seconds[second.Second] = second;
        LastSecond = Math.Max(LastSecond, second.Second);
        ClientSendDrops = second.ClientSendDrops;
        MaxCorrectionMm = Math.Max(MaxCorrectionMm, second.MaxCorrectionMm);
    }

    /// <summary>Its second <paramref name="second"/>, handed over once (the merger keeps no agent's seconds twice).</summary>
    public AgentSecond? Take(int second) => _seconds.Remove(second, out var s) ? s : null;

    public bool Has(int second) => _seconds.ContainsKey(second);

    public void Finished(AgentDone done)
    {
        Heard();
        if (Status == AgentStatus.Running)
        {
            Status = AgentStatus.Finished;
            Reason = done.Reason;
        }
    }

    public void Lose(string reason)
    {
        if (Status == AgentStatus.Running)
        {
            Status = AgentStatus.Lost;
            Reason = reason;
        }
    }
}
