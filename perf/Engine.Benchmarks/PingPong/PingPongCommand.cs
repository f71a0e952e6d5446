using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Engine.Benchmarks.PingPong.Batch;
using Engine.Benchmarks.PingPong.LiteNet;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// The pingpong verb: for each client layout (<see cref="ClientLayout"/>, the realistic one first)
/// and each server in turn, start the server as a child process, connect the client swarm (one
/// thread in this process), warm up, then measure a fixed window: round trips, RTT histogram,
/// the server's CPU time and allocations over exactly that window.
/// </summary>
internal static class PingPongCommand
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_statsTimeout = TimeSpan.FromSeconds(3);

    public static int Run(PingPongOptions o)
    {
        var layouts = new List<LayoutResults>();
        PingPongReport.PrintHeader(o);
        string? cEcho = null;
        foreach (ClientLayout layout in o.Layouts)
        {
            Console.WriteLine();
            Console.WriteLine($"=== {layout.Title(o.Clients)} ===");
            var results = new List<ScenarioResult>();
            if (o.RunEngine)
            {
                // A fresh key per run: the clients issue their own tokens, as a game's backend would.
                var tokenKey = o.Insecure ? null : RandomNumberGenerator.GetBytes(32);
                results.Add(RunScenario(o, "engine", EngineRowName(o),
                    port => new EngineServerProcess(o.EnginePath!, port, o.Shards, o.Clients, tokenKey),
                    port => new EngineClients(new IPEndPoint(IPAddress.Loopback, port), o.Clients, o.Payload, layout.Sockets, tokenKey)));
            }
            if (o.RunLiteNetLib)
            {
                results.Add(RunScenario(o, "litenetlib", "LiteNetLib 2.1.5",
                    port => new LiteNetLibServerProcess(port, o.LiteNetLibServerMode),
                    port => new LiteNetLibClients(new IPEndPoint(IPAddress.Loopback, port), o.Clients, o.Payload)));
            }
            if (o.RunC)
            {
                results.Add(RunScenario(o, "c", "C recvmmsg echo",
                    port => new CEchoServerProcess(cEcho ??= CEchoBuild.Build(), port),
                    port => new RawUdpClients(new IPEndPoint(IPAddress.Loopback, port), o.Clients, o.Payload, layout.Sockets)));
            }
            layouts.Add(new LayoutResults(layout, results));
        }

        PingPongReport.WriteTables(Console.Out, o, layouts);
        if (o.JsonPath is not null)
        {
            PingPongReport.WriteJson(o, layouts, o.JsonPath);
            Console.WriteLine($"results written to {Path.GetFullPath(o.JsonPath)}");
        }
        return layouts.All(l => l.Results.All(r => r.Ok)) ? 0 : 1;
    }

    private static string EngineRowName(PingPongOptions o) =>
        $"engine (AOT, {(o.Insecure ? "--insecure" : "sealed")}, {o.Shards} shard{(o.Shards == 1 ? "" : "s")})";

    private static ScenarioResult RunScenario(PingPongOptions o, string key, string name,
        Func<int, ServerProcess> startServer, Func<int, IPingPongClients> createClients)
    {
        var result = new ScenarioResult { Key = key, Name = name };
        Console.WriteLine();
        Console.WriteLine($"--- {name} ---");
        ServerProcess? server = null;
        IPingPongClients? clients = null;
        Thread? clientThread = null;
        using var stop = new ManualResetEventSlim();
        try
        {
            int port = FreeUdpPort();
            server = startServer(port);
            result.ServerCommand = server.CommandLine;
            Console.WriteLine($"server: {server.CommandLine} (pid {server.Pid})");
            server.WaitForLine("listening", s_readyTimeout);

            clients = createClients(port);
            result.ClientDescription = clients.Description;
            result.ClientAddresses = clients.SourceAddresses;
            Console.WriteLine($"clients: {clients.Description}");

            var recorder = new RoundTripRecorder(o.Clients);
            using var connected = new ManualResetEventSlim();
            Exception? clientError = null;
            long clientThreadAllocated = 0;
            IPingPongClients c = clients;
            clientThread = new Thread(() =>
            {
                try
                {
                    c.Connect(s_connectTimeout);
                    connected.Set();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    c.Run(recorder, stop);
                    clientThreadAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                catch (Exception e)
                {
                    clientError = e;
                    connected.Set();
                }
            })
            { Name = "pingpong-clients", IsBackground = true };

            var connectWatch = Stopwatch.StartNew();
            clientThread.Start();
            if (!connected.Wait(s_connectTimeout + TimeSpan.FromSeconds(5)))
                throw new TimeoutException("clients did not finish connecting");
            if (clientError is not null)
                throw new InvalidOperationException($"clients failed: {clientError.Message}", clientError);
            Console.WriteLine($"{o.Clients} clients connected in {connectWatch.Elapsed.TotalSeconds:0.00} s; warming up {o.WarmupSeconds} s");

            SleepWatching(server, TimeSpan.FromSeconds(o.WarmupSeconds), () => clientError);

            int selfPid = Environment.ProcessId;
            long? alloc0 = server.ReadAllocatedBytes(s_statsTimeout);
            long selfAlloc0 = GC.GetTotalAllocatedBytes(precise: true);
            ProcessCpu self0 = ProcessCpu.Sample(selfPid);
            ProcessCpu cpu0 = ProcessCpu.Sample(server.Pid);
            long t0 = Stopwatch.GetTimestamp();
            recorder.Measuring = true;

            SleepWatching(server, TimeSpan.FromSeconds(o.Seconds), () => clientError);

            recorder.Measuring = false;
            long t1 = Stopwatch.GetTimestamp();
            ProcessCpu cpu1 = ProcessCpu.Sample(server.Pid);
            ProcessCpu self1 = ProcessCpu.Sample(selfPid);
            long selfAlloc1 = GC.GetTotalAllocatedBytes(precise: true);
            long? alloc1 = server.ReadAllocatedBytes(s_statsTimeout);

            stop.Set();
            if (!clientThread.Join(TimeSpan.FromSeconds(15)))
                throw new TimeoutException("client thread did not stop");
            if (clientError is not null)
                throw new InvalidOperationException($"clients failed: {clientError.Message}", clientError);

            ProcessCpu serverCpu = cpu1 - cpu0;
            result.WindowSeconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            result.RoundTrips = recorder.RoundTrips;
            result.Lost = recorder.Lost;
            result.Stale = recorder.Stale;
            result.Disconnected = clients.Disconnected;
            result.ClientThreadAllocatedBytes = clientThreadAllocated;
            result.ClientThreadRoundTrips = recorder.RoundTripsTotal;
            result.RttP50Us = recorder.PercentileMicroseconds(50);
            result.RttP99Us = recorder.PercentileMicroseconds(99);
            result.RttP999Us = recorder.PercentileMicroseconds(99.9);
            result.RttMaxUs = recorder.MaxMicroseconds;
            result.ServerCpuNs = serverCpu.OnCpuNanoseconds;
            result.ServerCpuTicks = serverCpu.StatTicks;
            result.ServerUserCpuTicks = serverCpu.UserTicks;
            result.ClientCpuNs = (self1 - self0).OnCpuNanoseconds;
            result.ClientAllocatedBytes = selfAlloc1 - selfAlloc0;
            result.ServerAllocatedBytes = alloc0 is long a0 && alloc1 is long a1 ? a1 - a0 : null;
            PingPongReport.PrintScenarioLine(result);
            PingPongReport.PrintClientThreadLine(result);
        }
        catch (Exception e)
        {
            result.Error = e.Message;
            Console.WriteLine($"FAILED: {e.Message}");
        }
        finally
        {
            stop.Set();
            if (clientThread is { IsAlive: true } && !clientThread.Join(TimeSpan.FromSeconds(15)))
                Console.WriteLine("warning: client thread still running");
            if (clientThread is not { IsAlive: true })
                clients?.Dispose();
            if (server is not null)
            {
                result.ServerExitCode = server.Stop(TimeSpan.FromSeconds(5));
                if (result.ServerExitCode is not 0)
                    Console.WriteLine($"note: server exit code {result.ServerExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (killed after 5 s)"}");
                server.Dispose();
            }
        }
        return result;
    }

    private static void SleepWatching(ServerProcess server, TimeSpan duration, Func<Exception?> clientError)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(200, Math.Max(1, (duration - sw.Elapsed).TotalMilliseconds))));
            if (server.HasExited)
                throw new InvalidOperationException($"server exited during the run. Its last output:{Environment.NewLine}{server.RecentOutput()}");
            if (clientError() is { } e)
                throw new InvalidOperationException($"clients failed: {e.Message}", e);
        }
    }

    /// <summary>A UDP port that was free a moment ago (the kernel picks it; the child binds it next).</summary>
    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
