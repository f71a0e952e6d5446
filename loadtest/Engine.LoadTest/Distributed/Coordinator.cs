using System.Globalization;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Reports;
using NATS.Client.Core;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// `loadtest coordinator`: starts (or attaches to) the server as a single run does, waits on NATS for
/// its agents, gives each a share and a common start, merges their streamed seconds into one run's
/// (a progress line per second), opens the measured window once every player is in a room, stops the
/// agents at its end and writes the same report a single run writes, with a section on the agents.
/// An agent silent past the heartbeat time-out is lost: named, and merged with what it sent.
/// </summary>
internal sealed class Coordinator(DistributedOptions distributed, LoadTestOptions options)
{
    /// <summary>Exit code of a run that completed without one of its agents.</summary>
    public const int AgentLostExitCode = 3;

    private static readonly Scenario[] s_distributable = [Scenario.Steady, Scenario.Ramp, Scenario.Churn, Scenario.Chat];
    private static readonly TimeSpan s_startDelay = TimeSpan.FromSeconds(3);
    private readonly List<SecondSample> _seconds = [];
    private readonly List<ServerSample> _server = [];
    private volatile bool _interrupted;
    private volatile bool _stopping;

    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(LoadTestOptions.Usage);
            return 0;
        }
        DistributedOptions distributed;
        LoadTestOptions options;
        try
        {
            distributed = DistributedOptions.Parse(args, coordinator: true);
            options = LoadTestOptions.Parse([.. distributed.RunArguments]);
            Validate(distributed, options);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
        try
        {
            var coordinator = new Coordinator(distributed, options);
            var result = coordinator.RunAsync().GetAwaiter().GetResult();
            var directory = ReportWriter.Write(result);
            Console.WriteLine();
            Console.WriteLine(ReportWriter.ConsoleSummary(result));
            foreach (var line in result.Distributed!.LostLines())
            {
                Console.WriteLine($"  {line}");
            }
            Console.WriteLine($"loadtest: report in {directory}/report.html (report.md, summary.json, timeseries.csv); {Path.Combine(options.ReportsDirectory, "latest")} points at it");
            return result.Interrupted ? 130 : result.Distributed.Lost.Any() ? AgentLostExitCode : 0;
        }
        catch (UsageException e)
        {
            EngineServer.KillIfRunning();
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is NatsException or DistributedRunException)
        {
            EngineServer.KillIfRunning();
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 1;
        }
    }

    private static void Validate(DistributedOptions distributed, LoadTestOptions options)
    {
        if (!s_distributable.Contains(options.Scenario))
        {
            throw new UsageException($"coordinator: the {options.Scenario} scenario does not run distributed (these do: {string.Join(", ", s_distributable.Select(s => s.Name))})");
        }
        if (options.Backend is not null)
        {
            throw new UsageException("coordinator: --backend runs as one swarm process, not spread over agents");
        }
        if (distributed.Agents > options.Players)
        {
            throw new UsageException($"coordinator: {distributed.Agents} agents for {options.Players} players: each agent needs at least one");
        }
        if (options.SourceAddressOffset + (distributed.Agents * options.AddressCount) > 65_000)
        {
            throw new UsageException($"coordinator: {distributed.Agents} agents x {options.AddressCount} source addresses do not fit in 127.0.0.0/16");
        }
    }

    public async Task<RunResult> RunAsync()
    {
        var machine = MachineInfo.Read();
        var load = MachineInfo.LoadAverage();
        var started = DateTime.UtcNow;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            _interrupted = true;
            Console.Error.WriteLine("loadtest: stopping the agents (Ctrl+C); the report covers what ran");
        };
        await using var nats = new NatsConnection(NatsOpts.Default with { Url = distributed.NatsUrl, Name = "loadtest-coordinator" });
        await Connect(nats, distributed.NatsUrl);
        using var server = options.Server is { } address ? EngineServer.Attach(address, options.ServerPid, options.ServerAdmin, options.TokenKey) : EngineServer.Start(options);
        if (server.Started)
        {
            Console.WriteLine($"loadtest: engine pid {server.Pid}: {server.ListeningLine}");
        }
        using var admin = server.AdminUrl is { } url ? new AdminScraper(url) : null;

        var hellos = await WaitForAgents(nats);
        var runId = $"{started:yyyyMMddHHmmss}{Random.Shared.Next(0x10000):x4}";
        await using var stream = await nats.SubscribeCoreAsync<byte[]>(Subjects.Run(runId));
        using var beatDone = new CancellationTokenSource();
        var beating = Beat(nats, runId, beatDone.Token);
        var startAt = DateTimeOffset.UtcNow + s_startDelay;
        var rate = options.EffectiveConnectRate;
        var connectLimit = Math.Max(options.ConnectTimeoutSeconds, (options.TotalClients / rate) + 30);
        var shares = ShareSplitter.Split(options, distributed.RunArguments, hellos.Count, runId, server.EndPoint.ToString(), server.TokenKey,
            options.DurationSeconds + connectLimit + 60, startAt, distributed.HeartbeatTimeoutSeconds);
        var agents = new List<AgentTrack>();
        for (var k = 0; k < hellos.Count; k++)
        {
            await GiveShare(nats, hellos[k], shares[k]);
            agents.Add(new AgentTrack(hellos[k], shares[k]));
        }
        var run = new DistributedRun(distributed.NatsUrl, startAt, distributed.HeartbeatTimeoutSeconds, agents);
        var layout = ShareSplitter.Layout(shares);
        Console.WriteLine($"loadtest: {options.Scenario}: {options.Players} players in rooms of {options.RoomSize} on {agents.Count} agents ({run.Describe()}) -> {server.EndPoint}; " +
            $"sockets: {layout.Description}; start at {startAt:HH:mm:ss.fff} UTC");

        var result = new RunResult
        {
            Options = options,
            Machine = machine,
            LoadAverageAtStart = load,
            StartedUtc = started,
            ServerEndPoint = server.EndPoint.ToString(),
            ServerStarted = server.Started,
            ServerArguments = server.Arguments,
            ServerListening = server.ListeningLine,
            ServerPid = server.Pid,
            ClientSockets = run.Describe(),
            SocketLayout = layout,
            Seconds = _seconds,
            Server = _server,
            AdminUrl = admin?.MetricsUrl,
            Distributed = run,
        };
        var merger = new RunMerger(agents);
        WindowResult? window;
        using (var probe = new ServerProbe(server, admin, startAt))
        {
            window = await Follow(stream, agents, merger, probe, startAt, connectLimit, result);
        }
        await beatDone.CancelAsync();
        await beating;
        result.Interrupted = _interrupted;
        result.Windows.Add(window);
        Runner.FillWindow(result, window);
        result.RunTotal = merger.RunTotal;
        result.ClientKernelDrops = merger.ClientKernelDrops;
        result.ClientSendDrops = agents.Sum(a => a.ClientSendDrops);
        result.MaxCorrectionMm = agents.Count == 0 ? 0 : agents.Max(a => a.MaxCorrectionMm);
        result.Handshake = merger.Run("handshake");
        result.Join = merger.Run("join");
        if (server.Started)
        {
            var exit = server.Stop(TimeSpan.FromSeconds(10));
            result.ServerExitCode = exit;
            result.ServerStopSeconds = server.StopTime?.TotalSeconds;
            Console.WriteLine(exit is int code ? $"loadtest: engine stopped, exit code {code} after {server.StopTime?.TotalSeconds:0.00} s" : "loadtest: engine did not stop in time and was killed");
        }
        result.ServerOutputTail = server.RecentOutput;
        return result;
    }

    private static async Task Connect(NatsConnection nats, string url)
    {
        try
        {
            await nats.ConnectAsync();
        }
        catch (NatsException e)
        {
            throw new DistributedRunException($"cannot reach NATS at {url}: {e.Message} (is nats-server running? docs/LOADTEST.md, \"Distributed\")");
        }
    }

    /// <summary>Collects the first N distinct agents that announce themselves, in the order they came.</summary>
    private async Task<List<AgentHello>> WaitForAgents(NatsConnection nats)
    {
        Console.WriteLine($"loadtest: waiting for {distributed.Agents} agents on {distributed.NatsUrl} (loadtest agent --nats {distributed.NatsUrl})");
        await using var hellos = await nats.SubscribeCoreAsync<byte[]>(Subjects.Hello);
        var found = new List<AgentHello>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(distributed.AgentWaitSeconds));
        try
        {
            while (found.Count < distributed.Agents)
            {
                var msg = await hellos.Msgs.ReadAsync(timeout.Token);
                if (DistributedJson.Read<AgentHello>(msg.Data) is { } hello && found.All(f => f.Id != hello.Id))
                {
                    found.Add(hello);
                    Console.WriteLine($"loadtest: agent {hello.Id} on {hello.Host} ({hello.Cores} cores) is in ({found.Count}/{distributed.Agents})");
                }
                if (_interrupted)
                {
                    throw new DistributedRunException($"interrupted while waiting for agents ({found.Count} of {distributed.Agents} came)");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new DistributedRunException($"only {found.Count} of {distributed.Agents} agents announced themselves within {distributed.AgentWaitSeconds} s" +
                (found.Count == 0 ? "" : $" ({string.Join(", ", found.Select(f => f.Id))})") + "; start them with: loadtest agent --nats " + distributed.NatsUrl);
        }
        return found;
    }

    private async Task GiveShare(NatsConnection nats, AgentHello hello, AgentShare share)
    {
        string? answer;
        try
        {
            var reply = await nats.RequestAsync<byte[], string>(Subjects.Share(hello.Id), DistributedJson.Bytes(share),
                replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(distributed.HeartbeatTimeoutSeconds + 2) });
            answer = reply.Data;
        }
        catch (NatsException e)
        {
            answer = null;
            Console.Error.WriteLine($"loadtest: agent {hello.Id}: {e.Message}");
        }
        if (answer == "ok")
        {
            return;
        }
        _stopping = true; // the agents that took theirs hear the stop with the next beat
        await Task.Delay(1000);
        // Refused: the run's options do not parse (bad configuration); no answer: the agent is gone.
        throw answer is null
            ? new DistributedRunException($"agent {hello.Id} did not answer when given its share")
            : new UsageException($"agent {hello.Id} refused its share: {answer}");
    }

    /// <summary>
    /// Until every agent has finished or is lost: merges the seconds as they complete, prints the
    /// progress, opens and closes the window, sends the heartbeat and, at the end, the stop.
    /// </summary>
    /// <summary>
    /// The coordinator's heartbeat to its agents, every 500 ms from the shares on; once stopping, the stop
    /// instead, repeated so that one lost message cannot keep an agent playing.
    /// </summary>
    private async Task Beat(NatsConnection nats, string runId, CancellationToken cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                await nats.PublishAsync(Subjects.Control(runId), _stopping ? "stop" : "heartbeat", cancellationToken: cancel);
                await Task.Delay(500, cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<WindowResult> Follow(INatsSub<byte[]> stream, List<AgentTrack> agents, RunMerger merger,
        ServerProbe probe, DateTimeOffset startAt, int connectLimit, RunResult result)
    {
        var byId = agents.ToDictionary(a => a.Id);
        var phase = options.Scenario.Ramps ? "ramping" : "connecting";
        var windowName = options.Scenario.Windows[0];
        WindowResult? window = null;
        int? seatedSecond = null;
        var warmupSeconds = options.Scenario.WarmsUp ? options.WarmupSeconds : 0;
        var stopSentAt = DateTimeOffset.MaxValue;
        while (true)
        {
            while (stream.Msgs.TryRead(out var msg))
            {
                Dispatch(msg, byId);
            }
            foreach (var a in agents.Where(a => a.Status == AgentStatus.Running && a.SilentSeconds > distributed.HeartbeatTimeoutSeconds))
            {
                a.Lose($"no heartbeat for {distributed.HeartbeatTimeoutSeconds} s");
                Console.WriteLine($"loadtest: agent {a.Id} LOST: nothing from it for {distributed.HeartbeatTimeoutSeconds} s; its last second was {a.LastSecond}");
            }
            var now = DateTimeOffset.UtcNow;
            if (!_stopping && !merger.Ready && now > startAt.AddSeconds(merger.Next + distributed.HeartbeatTimeoutSeconds + 1))
            {
                // Alive (its heartbeat comes) but its swarm sends no seconds: the run cannot wait for it.
                foreach (var a in agents.Where(a => a.Status == AgentStatus.Running && !a.Has(merger.Next)))
                {
                    a.Lose($"its second {merger.Next} did not come within {distributed.HeartbeatTimeoutSeconds} s");
                    Console.WriteLine($"loadtest: agent {a.Id} LOST: {a.Reason}; its last second was {a.LastSecond}");
                }
            }
            while (merger.Ready)
            {
                // The server's reading of the second comes a little after the agents' (its stats line takes a moment).
                var reading = probe.Take(merger.Next);
                if (reading is null && now <= startAt.AddSeconds(merger.Next + 2.5))
                {
                    break;
                }
                var s = Merge(merger, reading, agents, phase);
                if (!merger.WindowOpen && window is null && stopSentAt == DateTimeOffset.MaxValue)
                {
                    var target = s.InRooms >= options.InitialPlayers;
                    if (seatedSecond is null && (target || s.Second > connectLimit))
                    {
                        seatedSecond = s.Second;
                        result.ReachedTarget = target;
                        result.SecondsToTarget = s.Second;
                        Console.WriteLine(target
                            ? $"loadtest: all {options.InitialPlayers} players in rooms after {s.Second} s"
                            : $"loadtest: only {s.InRooms} of {options.InitialPlayers} players in rooms after {s.Second} s; going on anyway");
                        if (warmupSeconds > 0)
                        {
                            result.Stages.Add(("warm-up", s.Second));
                            phase = "warm-up";
                            Console.WriteLine($"loadtest: warm-up: {warmupSeconds} s");
                        }
                    }
                    // As a single run: the window opens once the connect burst has settled.
                    if (seatedSecond is { } seated && s.Second >= seated + warmupSeconds)
                    {
                        merger.OpenWindow(probe.Scrape());
                        result.Stages.Add((windowName, s.Second));
                        phase = windowName;
                        Console.WriteLine($"loadtest: {windowName}: measuring {options.DurationSeconds} s");
                    }
                }
                else if (merger.WindowOpen && s.Second - merger.WindowStart >= options.DurationSeconds)
                {
                    window = merger.CloseWindow(windowName, probe.Scrape());
                    phase = "leaving";
                    stopSentAt = now;
                    _stopping = true;
                }
            }
            if (_interrupted && stopSentAt == DateTimeOffset.MaxValue)
            {
                stopSentAt = now;
                _stopping = true;
            }
            if (merger.Exhausted)
            {
                break; // every agent finished or was lost, and all they sent is merged
            }
            if (now - stopSentAt > TimeSpan.FromSeconds(distributed.HeartbeatTimeoutSeconds + 10))
            {
                foreach (var a in agents.Where(a => a.Status == AgentStatus.Running))
                {
                    a.Lose("did not finish after the stop");
                }
            }
            await Task.Delay(20);
        }
        if (merger.WindowOpen)
        {
            window = merger.CloseWindow(windowName, probe.Scrape()); // interrupted, or every agent gone: the window covers what ran
        }
        if (window is null)
        {
            merger.OpenWindow(null);
            window = merger.CloseWindow("none", null);
        }
        return window;
    }

    private static void Dispatch(NatsMsg<byte[]> msg, Dictionary<string, AgentTrack> byId)
    {
        if (!Subjects.TryParseAgentSubject(msg.Subject, out var kind, out var id) || !byId.TryGetValue(id, out var agent))
        {
            return;
        }
        switch (kind)
        {
            case "heartbeat":
                agent.Heard();
                break;
            case "second" when DistributedJson.Read<AgentSecond>(msg.Data) is { } second:
                agent.Add(second);
                break;
            case "done" when DistributedJson.Read<AgentDone>(msg.Data) is { } done:
                agent.Finished(done);
                Console.WriteLine($"loadtest: agent {id} finished after second {done.LastSecond}{(done.Reason is null ? "" : $" ({done.Reason})")}");
                break;
        }
    }

    /// <summary>Merges the next second with the server's reading of it (null: none came in time) and prints the progress line.</summary>
    private SecondSample Merge(RunMerger merger, ServerReading? reading, List<AgentTrack> agents, string phase)
    {
        var second = merger.Next;
        var sample = merger.MergeNext(phase);
        var server = (reading ?? new ServerReading(second, double.NaN, double.NaN, 0, 0, null, null)).WithSwarm(merger.SwarmCpuPercent, merger.SwarmRssMb);
        _seconds.Add(sample);
        _server.Add(server);
        if (!options.Quiet)
        {
            Console.WriteLine(Progress(sample, server, merger.Reporting, agents.Count));
        }
        return sample;
    }

    private string Progress(SecondSample s, ServerSample server, int reporting, int agents)
    {
        var inv = CultureInfo.InvariantCulture;
        var perPlayer = Math.Max(1, s.Connected);
        var text = string.Create(inv,
            $"[{s.Second,4}s {s.Phase,-10}] agents {reporting}/{agents} | connected {s.Connected,6}/{options.TotalClients} in rooms {s.InRooms,6} | " +
            $"snap/s {s.Delta.SnapshotsApplied,7} in/s {s.Delta.InputMessages,7} | ack p50 {s.InputAck.P50 / 1000,5:0.0} p99 {s.InputAck.P99 / 1000,6:0.0} ms rtt p99 {s.Rtt.P99 / 1000,5:0.0} ms | " +
            $"lost {s.Delta.SnapshotsMissed,4} | down {s.BytesDown / perPlayer,5} B/s/pl | server cpu {server.CpuPercent,5:0}% rss {server.RssMb,5:0} MB");
        if (server.Stats is { } st)
        {
            text += string.Create(inv, $" tick p99 {st.TickP99Us} us");
        }
        return text + string.Create(inv, $" | swarm cpu {server.SwarmCpuPercent,4:0}% lag p99 {s.SlotLag.P99 / 1000:0.0} ms");
    }
}
