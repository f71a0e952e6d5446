using System.Diagnostics;
using System.Globalization;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Metrics;
using Engine.Transport;

namespace Engine.LoadTest;

/// <summary>
/// One run: starts (or attaches to) the server, drives the swarm on its own thread, samples the
/// server every second on this one (CPU, RSS, its stats line, kernel UDP errors) with a progress line,
/// then stops everything and returns the figures.
/// </summary>
internal sealed class Runner(LoadTestOptions options)
{
    private readonly object _gate = new();
    private readonly List<SecondSample> _seconds = [];
    private readonly List<ServerSample> _server = [];
    private volatile SecondSample? _latest;
    private volatile string _phase = "starting";
    private volatile bool _stop;
    private volatile bool _done;
    private long _t0Us;

    public RunResult Run()
    {
        var machine = MachineInfo.Read();
        var load = MachineInfo.LoadAverage();
        var started = DateTime.UtcNow;
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            _stop = true;
            Console.Error.WriteLine("loadtest: stopping (Ctrl+C); the report covers what ran");
        };
        using var server = options.Server is { } address ? EngineServer.Attach(address, options.ServerPid) : EngineServer.Start(options);
        if (server.Started)
        {
            Console.WriteLine($"loadtest: engine pid {server.Pid}: {server.ListeningLine}");
        }
        using var swarm = new Swarm.Swarm(options, server.EndPoint);
        Console.WriteLine($"loadtest: {options.Scenario}: {options.Players} players{(options.Scenario == "spectators" ? $" + {options.Spectators} spectators" : "")} in rooms of {options.RoomSize} " +
            $"over {options.Sockets} sockets ({swarm.SocketDescription}) -> {server.EndPoint}");

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
            ClientSockets = swarm.SocketDescription,
            Seconds = _seconds,
            Server = _server,
        };
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SwarmLoop(swarm, result);
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
        Monitor(server);
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the swarm thread failed", failure);
        }
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

    private void SwarmLoop(Swarm.Swarm swarm, RunResult result)
    {
        var rate = options.Scenario == "ramp" ? options.JoinRate : options.ConnectRate;
        var t0 = Protocol.Time.MonotonicClock.NowUs;
        Interlocked.Exchange(ref _t0Us, t0);
        var spectatorDelay = (int)Math.Min(int.MaxValue, (options.Players * 1_000_000L / rate) + 500_000);
        swarm.ScheduleStarts(t0, rate, spectatorDelay);
        var connectLimitUs = Math.Max(options.ConnectTimeoutSeconds, (options.TotalClients / rate) + 30) * 1_000_000L;
        _phase = options.Scenario == "ramp" ? "ramping" : "connecting";
        var nextSecondUs = t0 + 1_000_000;
        var second = 0;
        var measuring = false;
        var windowStart = 0;
        SwarmCounters last = default, windowCounters = default;
        SocketCounters lastSockets = default, windowSockets = default;
        long lastCorrections = 0, lastMispredictions = 0, windowCorrections = 0, windowMispredictions = 0;
        var minInRooms = int.MaxValue;
        while (!_stop)
        {
            if (!swarm.Pass())
            {
                swarm.Idle();
            }
            var now = Protocol.Time.MonotonicClock.NowUs;
            if (now < nextSecondUs)
            {
                continue;
            }
            second++;
            nextSecondUs += 1_000_000;
            var counters = swarm.Counters;
            var sockets = swarm.Sockets.TotalCounters();
            var sample = new SecondSample
            {
                Second = second,
                ElapsedSeconds = (now - t0) / 1e6,
                Phase = _phase,
                Connected = swarm.Connected,
                InRooms = swarm.InRooms,
                Playing = swarm.Count(Swarm.PlayerPhase.Playing),
                Spectating = swarm.Count(Swarm.PlayerPhase.Spectating),
                Delta = Subtract(counters, last),
                InputAck = swarm.Ack.CloseInterval(),
                Rtt = swarm.Rtt.CloseInterval(),
                Jitter = swarm.Jitter.CloseInterval(),
                Handshake = swarm.Handshake.CloseInterval(),
                Chat = swarm.Chat.CloseInterval(),
                SlotLag = swarm.SlotLag.CloseInterval(),
                BytesUp = sockets.BytesSent - lastSockets.BytesSent,
                BytesDown = sockets.BytesReceived - lastSockets.BytesReceived,
                DatagramsUp = sockets.DatagramsSent - lastSockets.DatagramsSent,
                DatagramsDown = sockets.DatagramsReceived - lastSockets.DatagramsReceived,
                ClientKernelDrops = sockets.KernelDrops - lastSockets.KernelDrops,
                Corrections = swarm.Netcode.Corrections - lastCorrections,
                Mispredictions = swarm.Netcode.Mispredictions - lastMispredictions,
            };
            swarm.Interarrival.CloseInterval();
            swarm.JoinTime.CloseInterval();
            last = counters;
            lastSockets = sockets;
            lastCorrections = swarm.Netcode.Corrections;
            lastMispredictions = swarm.Netcode.Mispredictions;
            lock (_gate)
            {
                _seconds.Add(sample);
            }
            _latest = sample;
            if (measuring)
            {
                minInRooms = Math.Min(minInRooms, sample.InRooms);
            }

            var target = swarm.InRooms >= options.Players && swarm.Count(Swarm.PlayerPhase.Spectating) >= result.Spectators;
            if (!measuring && (target || now - t0 > connectLimitUs))
            {
                measuring = true;
                result.ReachedTarget = target;
                result.SecondsToTarget = (now - t0) / 1e6;
                windowStart = second;
                windowCounters = counters;
                windowSockets = sockets;
                windowCorrections = swarm.Netcode.Corrections;
                windowMispredictions = swarm.Netcode.Mispredictions;
                foreach (var set in new[] { swarm.Ack, swarm.Rtt, swarm.Jitter, swarm.Interarrival, swarm.Chat, swarm.SlotLag })
                {
                    set.Window.Reset();
                }
                swarm.ChurnEnabled = true;
                _phase = options.Scenario switch { "ramp" => "holding", "churn" => "churning", _ => "measuring" };
                Console.WriteLine(target
                    ? $"loadtest: all {options.TotalClients} clients in rooms after {result.SecondsToTarget:0.0} s; measuring {options.DurationSeconds} s"
                    : $"loadtest: only {swarm.InRooms} of {options.Players} players in rooms after {result.SecondsToTarget:0.0} s; measuring {options.DurationSeconds} s anyway");
            }
            else if (measuring && second - windowStart >= options.DurationSeconds)
            {
                break;
            }
        }
        result.Interrupted = _stop;
        if (!measuring)
        {
            windowStart = second;
        }
        var end = swarm.Counters;
        var endSockets = swarm.Sockets.TotalCounters();
        result.WindowStartSecond = windowStart;
        result.WindowEndSecond = second;
        result.WindowSeconds = Math.Max(1, second - windowStart);
        result.Window = Subtract(end, windowCounters);
        result.RunTotal = end;
        result.WindowBytesUp = endSockets.BytesSent - windowSockets.BytesSent;
        result.WindowBytesDown = endSockets.BytesReceived - windowSockets.BytesReceived;
        result.WindowDatagramsUp = endSockets.DatagramsSent - windowSockets.DatagramsSent;
        result.WindowDatagramsDown = endSockets.DatagramsReceived - windowSockets.DatagramsReceived;
        result.ClientKernelDrops = endSockets.KernelDrops;
        result.ClientSendDrops = endSockets.SendDrops;
        result.WindowCorrections = swarm.Netcode.Corrections - windowCorrections;
        result.WindowMispredictions = swarm.Netcode.Mispredictions - windowMispredictions;
        result.MaxCorrectionMm = swarm.Netcode.MaxCorrectionMm;
        result.Ack = Percentiles.Of(swarm.Ack.Window);
        result.Rtt = Percentiles.Of(swarm.Rtt.Window);
        result.Jitter = Percentiles.Of(swarm.Jitter.Window);
        result.Interarrival = Percentiles.Of(swarm.Interarrival.Window);
        result.Chat = Percentiles.Of(swarm.Chat.Window);
        result.SlotLag = Percentiles.Of(swarm.SlotLag.Window);
        result.Handshake = Percentiles.Of(swarm.Handshake.Run);
        result.Join = Percentiles.Of(swarm.JoinTime.Run);
        result.InRoomsAtWindowEnd = swarm.InRooms;
        result.ConnectedAtWindowEnd = swarm.Connected;
        result.SpectatingAtWindowEnd = swarm.Count(Swarm.PlayerPhase.Spectating);
        result.MinInRoomsInWindow = minInRooms == int.MaxValue ? swarm.InRooms : minInRooms;
        // Keep playing until the monitor has sampled the last second, so the goodbyes are not in it.
        var until = Protocol.Time.MonotonicClock.NowUs + 300_000;
        while (Protocol.Time.MonotonicClock.NowUs < until)
        {
            if (!swarm.Pass())
            {
                swarm.Idle();
            }
        }
        _phase = "stopping";
        swarm.DisconnectAll(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Once a second: the server's CPU, RSS and stats line, the kernel's UDP errors, the swarm's own CPU, and the progress line.</summary>
    private void Monitor(EngineServer server)
    {
        var pid = server.Pid?.ToString(CultureInfo.InvariantCulture);
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        while (Interlocked.Read(ref _t0Us) == 0 && !_done)
        {
            Thread.Sleep(5);
        }
        var t0 = Interlocked.Read(ref _t0Us);
        var lastCpu = pid is null ? -1 : ProcSampler.CpuTicks(pid);
        var lastSelf = ProcSampler.CpuTicks(self);
        var lastWall = Stopwatch.GetTimestamp();
        var k = 0;
        while (!_done)
        {
            k++;
            // Sample a little after each of the swarm's second boundaries.
            var dueUs = t0 + (k * 1_000_000L) + 100_000;
            var waitMs = (dueUs - Protocol.Time.MonotonicClock.NowUs) / 1000;
            while (waitMs > 0 && !_done)
            {
                Thread.Sleep((int)Math.Min(waitMs, 50));
                waitMs = (dueUs - Protocol.Time.MonotonicClock.NowUs) / 1000;
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
            var statsLine = server.RequestStats(TimeSpan.FromMilliseconds(600));
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
            };
            lastCpu = cpu;
            lastSelf = selfCpu;
            lock (_gate)
            {
                _server.Add(sample);
            }
            if (!options.Quiet)
            {
                Console.WriteLine(Progress(k, _latest, sample));
            }
        }
    }

    private string Progress(int k, SecondSample? s, ServerSample server)
    {
        var inv = CultureInfo.InvariantCulture;
        if (s is null)
        {
            return $"[{k,4}s] starting";
        }
        var perPlayer = Math.Max(1, s.Connected);
        var text = string.Create(inv,
            $"[{k,4}s {_phase,-10}] connected {s.Connected,6}/{options.TotalClients} in rooms {s.InRooms,6}{(s.Spectating > 0 ? $" +{s.Spectating} spect" : "")} | " +
            $"snap/s {s.Delta.SnapshotsApplied,7} in/s {s.Delta.InputMessages,7} | ack p50 {s.InputAck.P50 / 1000,5:0.0} p99 {s.InputAck.P99 / 1000,6:0.0} ms rtt p99 {s.Rtt.P99 / 1000,5:0.0} ms | " +
            $"lost {s.Delta.SnapshotsMissed,4} | down {s.BytesDown / perPlayer,5} B/s/pl | server cpu {server.CpuPercent,5:0}% rss {server.RssMb,5:0} MB");
        if (server.Stats is { } st)
        {
            text += string.Create(inv, $" tick p99 {st.TickP99Us} us");
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
