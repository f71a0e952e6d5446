using System.Diagnostics;
using System.Globalization;
using System.Net;
using Engine.LoadTest.Attack;
using Engine.LoadTest.Capacity;
using Engine.LoadTest.Fleet;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Overload;
using Engine.LoadTest.Swarm;
using Engine.Protocol.Time;
using Engine.Transport;

namespace Engine.LoadTest;

/// <summary>
/// One run: starts (or attaches to) the server, drives the swarm on its own thread, samples the
/// server every second on this one (CPU, RSS, its stats line, its /metrics, kernel UDP errors) with a
/// progress line, then stops everything and returns the figures. The hostile scenario adds the attack
/// thread; the soak scenario ends with the leak check. Against a fleet (--backend) there is no one
/// server: players get their tickets from the backend, and the per-node figures come from its
/// GET /v1/nodes each second.
/// </summary>
internal sealed class Runner(LoadTestOptions options)
{
    private readonly object _gate = new();
    private readonly List<SecondSample> _seconds = [];
    private readonly List<ServerSample> _server = [];
    private volatile SecondSample? _latest;
    private AdminScraper? _admin;
    private volatile string _phase = "starting";
    private volatile bool _stop;
    private volatile bool _done;
    private long _t0Us;

    /// <summary>Called on the swarm thread as each second closes, while the sets' <see cref="LatencySet.LastInterval"/> hold that second.</summary>
    public Action<SecondSample, PlayerSwarm>? SecondClosed { get; init; }

    /// <summary>Ends the run as Ctrl+C does: what ran is reported.</summary>
    public void Stop() => _stop = true;

    public RunResult Run()
    {
        PlayerSocketPool.CheckDescriptorLimit(options);
        var machine = MachineInfo.Read();
        var load = MachineInfo.LoadAverage();
        var started = DateTime.UtcNow;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            _stop = true;
            Console.Error.WriteLine("loadtest: stopping (Ctrl+C); the report covers what ran");
        };
        using var backend = options.Backend is { } backendUrl ? new BackendPlacement(backendUrl, options.BackendKey!, TicketQueue.MaxInFlight) : null;
        var fleet = backend is null ? null : FleetAtStart(backend);
        using var server = backend is not null ? null
            : options.Server is { } address ? EngineServer.Attach(address, options.ServerPid, options.ServerAdmin, options.TokenKey) : EngineServer.Start(options);
        if (server is { Started: true })
        {
            Console.WriteLine($"loadtest: engine pid {server.Pid}: {server.ListeningLine}");
        }
        using var admin = server?.AdminUrl is { } url ? new AdminScraper(url) : null;
        _admin = admin;
        using var tickets = backend is null ? null : new TicketQueue(backend, new NodeTable(), options.TotalClients, options.FirstPlayerId, options.RoomSize);
        // A fleet's first node stands for the others where the sockets choose their source addresses (loopback or not).
        var endPoint = server?.EndPoint ?? IPEndPoint.Parse(fleet![0].Address);
        using var swarm = new PlayerSwarm(options, endPoint, server?.TokenKey) { Tickets = tickets };
        using var attacker = options.Scenario.Attacks ? new Attacker(endPoint, options.AttackAddresses, swarm.Capture = new ReplayCapture()) : null;
        var target = fleet is null ? endPoint.ToString() : $"the fleet behind {options.Backend} ({fleet.Count} nodes: {string.Join(", ", fleet.Select(n => $"{n.Id} at {n.Address}"))})";
        Console.WriteLine($"loadtest: {options.Scenario}: {options.Players} players{(options.Scenario.Spectates ? $" + {options.Spectators} spectators" : "")} in rooms of {options.RoomSize} " +
            $"-> {target}; sockets: {options.Layout} ({swarm.SocketDescription})");

        var result = new RunResult
        {
            Options = options,
            Machine = machine,
            LoadAverageAtStart = load,
            StartedUtc = started,
            ServerEndPoint = backend is null ? endPoint.ToString() : backend.Backend.ToString(),
            ServerStarted = server?.Started ?? false,
            ServerArguments = server?.Arguments ?? [],
            ServerListening = server?.ListeningLine,
            ServerPid = server?.Pid,
            Backend = backend?.Backend,
            ClientSockets = fleet is null ? swarm.SocketDescription : swarm.SocketDescription + "; in a fleet run each player's socket is connected to its ticket's node before each handshake",
            Seconds = _seconds,
            Server = _server,
            AdminUrl = admin?.MetricsUrl,
            AttackSources = attacker?.Describe(),
        };
        if (attacker is not null)
        {
            Console.WriteLine($"loadtest: attack traffic from {attacker.Describe()} (idle until the attack window)");
            attacker.Start();
        }
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SwarmLoop(swarm, attacker, result);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                _done = true;
            }
        })
        { Name = "swarm", IsBackground = true };
        thread.Start();
        Monitor(server, backend is null ? null : new NodeSampler(backend));
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the swarm thread failed", failure);
        }
        result.Matchmaking = tickets?.Totals();
        if (server is { Started: true })
        {
            var exit = server.Stop(TimeSpan.FromSeconds(10));
            result.ServerExitCode = exit;
            result.ServerStopSeconds = server.StopTime?.TotalSeconds;
            Console.WriteLine(exit is int code ? $"loadtest: engine stopped, exit code {code} after {server.StopTime?.TotalSeconds:0.00} s" : "loadtest: engine did not stop in time and was killed");
        }
        result.ServerOutputTail = server?.RecentOutput ?? "";
        return result;
    }

    /// <summary>The fleet's nodes as the backend lists them before anything starts: the URL and the key are checked here, with one clear line when wrong.</summary>
    private static List<NodeReading> FleetAtStart(BackendPlacement backend)
    {
        var nodes = backend.Nodes(out var status);
        return status switch
        {
            0 => throw new UsageException($"--backend: no answer from {backend.Backend} (is `engine backend` running there?)"),
            401 => throw new UsageException($"--backend-key-file: {backend.Backend} refused the key (401)"),
            404 => throw new UsageException($"--backend: {backend.Backend} has no GET /v1/nodes (an older engine backend?)"),
            _ when nodes is null => throw new UsageException($"--backend: GET {backend.Backend}v1/nodes answered {status}"),
            _ when nodes.Count == 0 => throw new InvalidOperationException($"the backend at {backend.Backend} lists no node: start the fleet's nodes first"),
            _ => nodes,
        };
    }

    /// <summary>
    /// A part of the run after everyone is in: warm-up, a measured window, the attack ... Overload:
    /// each phase, ramping the players to <see cref="Players"/> at <see cref="PlayersPerSecond"/>.
    /// </summary>
    private sealed record Stage(string Name, int Seconds, bool Measured, bool Attack = false, int? Players = null, double PlayersPerSecond = 0);

    private List<Stage> Plan()
    {
        var scenario = options.Scenario;
        List<Stage> plan = scenario.WarmsUp ? [new("warm-up", options.WarmupSeconds, false)] : [];
        if (scenario.Steps)
        {
            foreach (var step in CapacityPlan.Steps(options))
            {
                if (step.RampSeconds > 0)
                {
                    plan.Add(new(step.RampName, step.RampSeconds, true, Players: step.Players, PlayersPerSecond: options.JoinRate));
                }
                plan.Add(new(step.HoldName, step.HoldSeconds, true, Players: step.Players));
            }
            return plan;
        }
        if (scenario.Overloads)
        {
            plan.AddRange(OverloadPlan.Phases(options).Select(p => new Stage(p.Name, p.Seconds, true, Players: p.Players, PlayersPerSecond: p.PlayersPerSecond)));
            return plan;
        }
        plan.AddRange(scenario.Windows.Select(w => new Stage(w, options.DurationSeconds, true, Attack: scenario.Attacks && w == Scenario.AttackWindow)));
        return plan;
    }

    /// <summary>Where the swarm's counters stood when a stage began; a window is the difference at its end.</summary>
    private sealed class Mark
    {
        public int Second;
        public SwarmCounters Counters;
        public SocketCounters Sockets;
        public long Corrections;
        public long Mispredictions;
        public AttackTotals? Attack;
        public AdminSample? Admin;
        public int MinInRooms = int.MaxValue;
    }

    private void SwarmLoop(PlayerSwarm swarm, Attacker? attacker, RunResult result)
    {
        var rate = options.EffectiveConnectRate;
        var t0 = MonotonicClock.NowUs;
        Interlocked.Exchange(ref _t0Us, t0);
        var spectatorDelay = (int)Math.Min(int.MaxValue, (options.Players * 1_000_000L / rate) + 500_000);
        swarm.ScheduleStarts(t0, rate, spectatorDelay);
        var connectLimitUs = Math.Max(options.ConnectTimeoutSeconds, (options.TotalClients / rate) + 30) * 1_000_000L;
        _phase = options.Scenario.Ramps ? "ramping" : "connecting";
        var nextSecondUs = t0 + 1_000_000;
        var second = 0;
        var plan = Plan().Where(st => st.Seconds > 0 || st.Measured).ToList();
        var stage = -1;
        Mark? mark = null;
        SwarmCounters last = default;
        SocketCounters lastSockets = default;
        AttackTotals? lastAttack = attacker is null ? null : AttackTotals(attacker, swarm);
        long lastCorrections = 0, lastMispredictions = 0;
        while (!_stop)
        {
            if (!swarm.Pass())
            {
                swarm.Idle();
            }
            var now = MonotonicClock.NowUs;
            if (now < nextSecondUs)
            {
                continue;
            }
            second++;
            nextSecondUs += 1_000_000;
            var counters = swarm.Counters;
            var sockets = swarm.Sockets.TotalCounters();
            var attack = attacker is null ? null : AttackTotals(attacker, swarm);
            var replays = counters.ReplaysSameAddress - last.ReplaysSameAddress;
            var replayBytes = counters.ReplaySameAddressBytes - last.ReplaySameAddressBytes;
            var sample = new SecondSample
            {
                Second = second,
                ElapsedSeconds = (now - t0) / 1e6,
                Phase = _phase,
                Connected = swarm.Connected,
                InRooms = swarm.InRooms,
                Playing = swarm.Count(PlayerPhase.Playing),
                Spectating = swarm.Count(PlayerPhase.Spectating),
                Delta = Subtract(counters, last),
                InputAck = swarm.Ack.CloseInterval(),
                Rtt = swarm.Rtt.CloseInterval(),
                Jitter = swarm.Jitter.CloseInterval(),
                Handshake = swarm.Handshake.CloseInterval(),
                Chat = swarm.Chat.CloseInterval(),
                SlotLag = swarm.SlotLag.CloseInterval(),
                Matchmaking = swarm.Tickets?.CloseInterval() ?? default,
                BytesUp = sockets.BytesSent - lastSockets.BytesSent - replayBytes,
                BytesDown = sockets.BytesReceived - lastSockets.BytesReceived,
                DatagramsUp = sockets.DatagramsSent - lastSockets.DatagramsSent - replays,
                DatagramsDown = sockets.DatagramsReceived - lastSockets.DatagramsReceived,
                ClientKernelDrops = sockets.KernelDrops - lastSockets.KernelDrops,
                Corrections = swarm.Netcode.Corrections - lastCorrections,
                Mispredictions = swarm.Netcode.Mispredictions - lastMispredictions,
                AttackByKind = attack is null ? null : attack.Minus(lastAttack!).Sent,
            };
            swarm.Interarrival.CloseInterval();
            swarm.JoinTime.CloseInterval();
            last = counters;
            lastSockets = sockets;
            lastAttack = attack;
            lastCorrections = swarm.Netcode.Corrections;
            lastMispredictions = swarm.Netcode.Mispredictions;
            lock (_gate)
            {
                _seconds.Add(sample);
            }
            _latest = sample;
            SecondClosed?.Invoke(sample, swarm);
            if (mark is not null)
            {
                mark.MinInRooms = Math.Min(mark.MinInRooms, sample.InRooms);
            }

            if (stage < 0)
            {
                var target = swarm.InRooms >= options.InitialPlayers && swarm.Count(PlayerPhase.Spectating) >= result.Spectators;
                if (target || now - t0 > connectLimitUs)
                {
                    result.ReachedTarget = target;
                    result.SecondsToTarget = (now - t0) / 1e6;
                    swarm.ChurnEnabled = true;
                    Console.WriteLine(target
                        ? $"loadtest: all {options.InitialPlayers + result.Spectators} clients in rooms after {result.SecondsToTarget:0.0} s"
                        : $"loadtest: only {swarm.InRooms} of {options.InitialPlayers} players in rooms after {result.SecondsToTarget:0.0} s; going on anyway");
                    mark = BeginStage(plan[stage = 0], second, swarm, attacker, result);
                }
            }
            else if (second - mark!.Second >= plan[stage].Seconds)
            {
                EndStage(plan[stage], mark, second, swarm, attacker, result);
                if (++stage == plan.Count || StepMissed(result))
                {
                    break;
                }
                mark = BeginStage(plan[stage], second, swarm, attacker, result);
            }
        }
        result.Interrupted = _stop;
        if (_stop && stage >= 0 && stage < plan.Count && plan[stage].Measured)
        {
            EndStage(plan[stage], mark!, second, swarm, attacker, result); // the report covers what ran
        }
        var main = result.Windows.Count > 0 ? result.Windows[^1] : CloseWindow("none", new Mark { Second = second }, second, swarm, attacker);
        Fill(result, main, swarm);
        // Keep playing until the monitor has sampled the last second, so the goodbyes are not in it.
        var until = MonotonicClock.NowUs + 300_000;
        while (MonotonicClock.NowUs < until)
        {
            if (!swarm.Pass())
            {
                swarm.Idle();
            }
        }
        _phase = "leaving";
        swarm.DisconnectAll(TimeSpan.FromMilliseconds(300));
        if (options.Scenario.ChecksLeaks && !_stop)
        {
            result.Leak = WaitForServerToClose(second);
        }
    }

    /// <summary>Capacity: the step just held missed a target, so the search ends there.</summary>
    private bool StepMissed(RunResult result)
    {
        if (!options.Scenario.Steps || result.Windows.Count == 0 || CapacityPlan.HoldPlayers(result.Windows[^1].Name) is not int players)
        {
            return false;
        }
        Reports.CapacityStepResult step;
        lock (_gate)
        {
            step = Reports.ReportWriter.CapacityStep(result, result.Windows[^1]);
        }
        Console.WriteLine(step.FirstMissed is { } missed
            ? $"loadtest: {players} players: MISSED {missed.Name}: {missed.Measured} (goal {missed.Goal}); the search stops here"
            : $"loadtest: {players} players: every target met");
        return step.FirstMissed is not null;
    }

    private Mark BeginStage(Stage stage, int second, PlayerSwarm swarm, Attacker? attacker, RunResult result)
    {
        _phase = stage.Name;
        var admin = stage.Measured ? _admin?.Scrape() : null; // before the attack starts
        result.Stages.Add((stage.Name, second));
        if (stage.Players is int players && players != swarm.Target)
        {
            swarm.RampTo(players, stage.PlayersPerSecond, MonotonicClock.NowUs);
        }
        if (attacker is not null && swarm.Capture is { } capture)
        {
            capture.Capturing = true; // from the warm-up on: replays and stolen ids come from real traffic
        }
        if (stage.Attack && attacker is not null)
        {
            // The factor multiplies what the players really sent in the clean window.
            var clean = result.Windows.LastOrDefault();
            var baseRate = clean?.LegitPacketsPerSecond ?? options.Players * (options.InputRate + 1.0);
            result.AttackBaseRate = baseRate;
            for (var k = 0; k < AttackKinds.Count; k++)
            {
                result.AttackRates[k] = baseRate * options.AttackFactor * options.AttackMix.Share((AttackKind)k);
            }
            attacker.SetRates(result.AttackRates);
            swarm.ReplaySameRate = result.AttackRates[(int)AttackKind.ReplaySame];
            Console.WriteLine($"loadtest: attack: {options.AttackFactor}x the clean window's {baseRate:0} legit packets/s = {baseRate * options.AttackFactor:0} packets/s ({options.AttackMix})");
        }
        foreach (var set in new[] { swarm.Ack, swarm.Rtt, swarm.Jitter, swarm.Interarrival, swarm.Chat, swarm.SlotLag, swarm.Handshake })
        {
            set.Window.Reset();
        }
        if (stage.Players is int target && stage.PlayersPerSecond > 0)
        {
            Console.WriteLine($"loadtest: {stage.Name}: measuring {stage.Seconds} s, players to {target} at {stage.PlayersPerSecond:0.#}/s");
        }
        else if (stage.Measured)
        {
            Console.WriteLine($"loadtest: {stage.Name}: measuring {stage.Seconds} s");
        }
        else
        {
            Console.WriteLine($"loadtest: {stage.Name}: {stage.Seconds} s");
        }
        return new Mark
        {
            Second = second,
            Counters = swarm.Counters,
            Sockets = swarm.Sockets.TotalCounters(),
            Corrections = swarm.Netcode.Corrections,
            Mispredictions = swarm.Netcode.Mispredictions,
            Attack = attacker is null ? null : AttackTotals(attacker, swarm),
            Admin = admin,
        };
    }

    private void EndStage(Stage stage, Mark mark, int second, PlayerSwarm swarm, Attacker? attacker, RunResult result)
    {
        // The window's counters first, then the attack stops: the server's drops at this edge belong to it.
        if (stage.Measured)
        {
            result.Windows.Add(CloseWindow(stage.Name, mark, second, swarm, attacker));
        }
        if (stage.Attack && attacker is not null)
        {
            attacker.SetRates(new double[AttackKinds.Count]);
            swarm.ReplaySameRate = 0;
        }
    }

    private WindowResult CloseWindow(string name, Mark mark, int second, PlayerSwarm swarm, Attacker? attacker)
    {
        var end = swarm.Counters;
        var sockets = swarm.Sockets.TotalCounters();
        var counters = Subtract(end, mark.Counters);
        return new WindowResult
        {
            Name = name,
            StartSecond = mark.Second,
            EndSecond = second,
            Counters = counters,
            BytesUp = sockets.BytesSent - mark.Sockets.BytesSent - counters.ReplaySameAddressBytes,
            BytesDown = sockets.BytesReceived - mark.Sockets.BytesReceived,
            DatagramsUp = sockets.DatagramsSent - mark.Sockets.DatagramsSent - counters.ReplaysSameAddress,
            DatagramsDown = sockets.DatagramsReceived - mark.Sockets.DatagramsReceived,
            Corrections = swarm.Netcode.Corrections - mark.Corrections,
            Mispredictions = swarm.Netcode.Mispredictions - mark.Mispredictions,
            Ack = Percentiles.Of(swarm.Ack.Window),
            Rtt = Percentiles.Of(swarm.Rtt.Window),
            Jitter = Percentiles.Of(swarm.Jitter.Window),
            Interarrival = Percentiles.Of(swarm.Interarrival.Window),
            Chat = Percentiles.Of(swarm.Chat.Window),
            SlotLag = Percentiles.Of(swarm.SlotLag.Window),
            Handshake = Percentiles.Of(swarm.Handshake.Window),
            MinInRooms = mark.MinInRooms == int.MaxValue ? swarm.InRooms : mark.MinInRooms,
            InRoomsEnd = swarm.InRooms,
            ConnectedEnd = swarm.Connected,
            SpectatingEnd = swarm.Count(PlayerPhase.Spectating),
            Attack = attacker is null || mark.Attack is null ? null : AttackTotals(attacker, swarm).Minus(mark.Attack),
            AdminStart = mark.Admin,
            // One scrape (a millisecond or two) on this thread at each edge, so the edge is exact.
            AdminEnd = _admin?.Scrape(),
        };
    }

    /// <summary>The main window's figures into the run result, plus the whole-run ones.</summary>
    private static void Fill(RunResult result, WindowResult w, PlayerSwarm swarm)
    {
        FillWindow(result, w);
        var endSockets = swarm.Sockets.TotalCounters();
        result.RunTotal = swarm.Counters;
        result.ClientKernelDrops = endSockets.KernelDrops;
        result.ClientSendDrops = endSockets.SendDrops;
        result.MaxCorrectionMm = swarm.Netcode.MaxCorrectionMm;
        result.Handshake = Percentiles.Of(swarm.Handshake.Run);
        result.Join = Percentiles.Of(swarm.JoinTime.Run);
    }

    /// <summary>The main window's figures into the run result (a distributed run's merged window too).</summary>
    internal static void FillWindow(RunResult result, WindowResult w)
    {
        result.WindowStartSecond = w.StartSecond;
        result.WindowEndSecond = w.EndSecond;
        result.WindowSeconds = w.Seconds;
        result.Window = w.Counters;
        result.WindowBytesUp = w.BytesUp;
        result.WindowBytesDown = w.BytesDown;
        result.WindowDatagramsUp = w.DatagramsUp;
        result.WindowDatagramsDown = w.DatagramsDown;
        result.WindowCorrections = w.Corrections;
        result.WindowMispredictions = w.Mispredictions;
        result.Ack = w.Ack;
        result.Rtt = w.Rtt;
        result.Jitter = w.Jitter;
        result.Interarrival = w.Interarrival;
        result.Chat = w.Chat;
        result.SlotLag = w.SlotLag;
        result.InRoomsAtWindowEnd = w.InRoomsEnd;
        result.ConnectedAtWindowEnd = w.ConnectedEnd;
        result.SpectatingAtWindowEnd = w.SpectatingEnd;
        result.MinInRoomsInWindow = w.MinInRooms;
    }

    /// <summary>The attacker's totals with the same-address replays the swarm thread sent.</summary>
    private static AttackTotals AttackTotals(Attacker attacker, PlayerSwarm swarm)
    {
        var totals = attacker.Totals();
        totals.Sent[(int)AttackKind.ReplaySame] = swarm.Counters.ReplaysSameAddress;
        totals.Bytes[(int)AttackKind.ReplaySame] = swarm.Counters.ReplaySameAddressBytes;
        return totals;
    }

    /// <summary>
    /// Soak: every player has left; polls the server's /metrics until it holds no session and no room,
    /// or the bounded wait runs out (its kept slots and empty rooms close after the short windows it
    /// was started with). What it still holds then is leaked.
    /// </summary>
    private LeakCheck WaitForServerToClose(int lastSecond)
    {
        _phase = "draining";
        var started = Stopwatch.StartNew();
        AdminSample? sample = null;
        var settled = false;
        while (_admin is not null && started.Elapsed < TimeSpan.FromSeconds(options.LeakWaitSeconds) && !_stop)
        {
            sample = _admin.Scrape();
            if (sample is { Sessions: 0, Rooms: 0 })
            {
                settled = true;
                break;
            }
            Thread.Sleep(250);
        }
        var waited = started.Elapsed.TotalSeconds;
        // The room directory (rooms= of the stats line) must be empty too: wait for the monitor's next sample.
        int count;
        lock (_gate)
        {
            count = _server.Count;
        }
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            lock (_gate)
            {
                if (_server.Count > count + 1)
                {
                    break;
                }
            }
            Thread.Sleep(50);
        }
        long directoryRooms;
        lock (_gate)
        {
            directoryRooms = _server.LastOrDefault(s => s.Stats is not null)?.Stats!.Rooms ?? -1;
        }
        var leak = new LeakCheck(sample?.Sessions ?? -1, sample?.Rooms ?? -1, directoryRooms, waited, settled, lastSecond);
        Console.WriteLine(settled
            ? $"loadtest: every player left; the server closed every session and room within {waited:0.0} s (room directory: {directoryRooms})"
            : $"loadtest: every player left; after {waited:0.0} s the server still holds {leak.Sessions} sessions and {leak.Rooms} rooms (room directory: {directoryRooms})");
        return leak;
    }

    /// <summary>Once a second: the server's CPU, RSS and stats line, the kernel's UDP errors, the swarm's own CPU, and the progress line.</summary>
    private void Monitor(EngineServer? server, NodeSampler? nodes)
    {
        var pid = server?.Pid?.ToString(CultureInfo.InvariantCulture);
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        while (Interlocked.Read(ref _t0Us) == 0 && !_done)
        {
            Thread.Sleep(5);
        }
        var t0 = Interlocked.Read(ref _t0Us);
        var lastCpu = pid is null ? -1 : ProcSampler.CpuTicks(pid);
        var lastSelf = ProcSampler.CpuTicks(self);
        var lastWall = Stopwatch.GetTimestamp();
        ServerSample? previous = null;
        var k = 0;
        while (!_done)
        {
            k++;
            // Sample a little after each of the swarm's second boundaries.
            var dueUs = t0 + (k * 1_000_000L) + 100_000;
            var waitMs = (dueUs - MonotonicClock.NowUs) / 1000;
            while (waitMs > 0 && !_done)
            {
                Thread.Sleep((int)Math.Min(waitMs, 50));
                waitMs = (dueUs - MonotonicClock.NowUs) / 1000;
            }
            if (_done)
            {
                break;
            }
            var wall = Stopwatch.GetTimestamp();
            var seconds = (wall - lastWall) / (double)Stopwatch.Frequency;
            lastWall = wall;
            var cpu = pid is null ? -1 : ProcSampler.CpuTicks(pid);
            var selfCpu = ProcSampler.CpuTicks(self);
            var udp = ProcSampler.UdpErrors();
            var statsLine = server?.RequestStats(TimeSpan.FromMilliseconds(600));
            var adminSample = _admin?.Scrape();
            var nodeSample = nodes?.Sample();
            var sample = new ServerSample
            {
                Second = k,
                CpuPercent = cpu >= 0 && lastCpu >= 0 ? (cpu - lastCpu) / ProcSampler.ClockTicksPerSecond / seconds * 100 : double.NaN,
                RssMb = pid is null ? double.NaN : ProcSampler.RssKb(pid) / 1024.0,
                SwarmCpuPercent = (selfCpu - lastSelf) / ProcSampler.ClockTicksPerSecond / seconds * 100,
                SwarmRssMb = ProcSampler.RssKb(self) / 1024.0,
                UdpInErrors = udp.InErrors,
                UdpRcvbufErrors = udp.RcvbufErrors,
                Stats = statsLine is null ? null : ServerStats.TryParse(statsLine),
                Admin = adminSample,
                Nodes = nodeSample,
            };
            lastCpu = cpu;
            lastSelf = selfCpu;
            lock (_gate)
            {
                _server.Add(sample);
            }
            if (!options.Quiet)
            {
                Console.WriteLine(Progress(k, _latest, sample, previous));
            }
            previous = sample;
        }
    }

    private string Progress(int k, SecondSample? s, ServerSample server, ServerSample? previous)
    {
        var inv = CultureInfo.InvariantCulture;
        if (s is null)
        {
            return $"[{k,4}s] starting";
        }
        if (_phase is "draining" or "leaving")
        {
            // The players are gone: only the server's side moves now.
            return string.Create(inv, $"[{k,4}s {_phase,-10}] every player left | server cpu {server.CpuPercent,5:0}% rss {server.RssMb,5:0} MB | sessions {server.Admin?.Sessions} rooms {server.Admin?.Rooms}");
        }
        var perPlayer = Math.Max(1, s.Connected);
        var text = string.Create(inv,
            $"[{k,4}s {_phase,-10}] connected {s.Connected,6}/{options.TotalClients} in rooms {s.InRooms,6}{(s.Spectating > 0 ? $" +{s.Spectating} spect" : "")} | " +
            $"snap/s {s.Delta.SnapshotsApplied,7} in/s {s.Delta.InputMessages,7} | ack p50 {s.InputAck.P50 / 1000,5:0.0} p99 {s.InputAck.P99 / 1000,6:0.0} ms rtt p99 {s.Rtt.P99 / 1000,5:0.0} ms | " +
            $"lost {s.Delta.SnapshotsMissed,4} | down {s.BytesDown / perPlayer,5} B/s/pl");
        if (options.Backend is null)
        {
            text += string.Create(inv, $" | server cpu {server.CpuPercent,5:0}% rss {server.RssMb,5:0} MB");
        }
        else
        {
            text += string.Create(inv, $" | matchmaking {s.Matchmaking.Count}/s p99 {s.Matchmaking.P99 / 1000:0.0} ms");
        }
        if (server.Nodes is { } nodes)
        {
            text += " | nodes " + string.Join(' ', nodes.Select(n => string.Create(inv, $"{n.Id} {n.Sessions} pl {n.Cpu * 100:0}% cpu")));
        }
        if (server.Stats is { } st)
        {
            text += string.Create(inv, $" tick p99 {st.TickP99Us} us");
        }
        if (server.Admin is { } admin)
        {
            text += string.Create(inv, $" | sessions {admin.Sessions} rooms {admin.Rooms}");
            if (previous?.Admin is { } before)
            {
                text += string.Create(inv, $" drops/s {admin.TotalDrops - before.TotalDrops}");
            }
        }
        if (s.AttackByKind is { } attack)
        {
            text += string.Create(inv, $" | attack/s {attack.Sum()}");
        }
        return text + string.Create(inv, $" | swarm cpu {server.SwarmCpuPercent,4:0}% lag p99 {s.SlotLag.P99 / 1000:0.0} ms");
    }

    private static SwarmCounters Subtract(SwarmCounters a, SwarmCounters b)
    {
        var fields = typeof(SwarmCounters).GetFields();
        object boxed = a;
        foreach (var f in fields)
        {
            f.SetValue(boxed, (long)f.GetValue(a)! - (long)f.GetValue(b)!);
        }
        return (SwarmCounters)boxed;
    }
}
