using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Engine.LoadTest.Hosting;

/// <summary>
/// The server under test: the AOT engine started as a child process (or one already running that the
/// swarm attaches to). Its output is kept; stats lines are parsed as they come.
/// </summary>
internal sealed class EngineServer : IDisposable
{
    private readonly Process? _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly BlockingCollection<string> _statsLines = new();
    private volatile bool _listening;

    private EngineServer(IPEndPoint endPoint, int? pid, Process? process, IReadOnlyList<string> arguments)
    {
        EndPoint = endPoint;
        Pid = pid;
        _process = process;
        Arguments = arguments;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The key the swarm issues connect tokens with; null when the server runs insecure.</summary>
    public byte[]? TokenKey { get; private set; }

    // The key reaches the engine through a file only this user reads, not the command line.
    private string? _keyFile;
    public int? Pid { get; private set; }
    public IReadOnlyList<string> Arguments { get; }
    public bool Started => _process is not null;
    public string? ListeningLine { get; private set; }

    /// <summary>The admin endpoint (http://HOST:PORT) whose /metrics the swarm scrapes; null when unknown.</summary>
    public string? AdminUrl { get; private set; }
    public int? ExitCode { get; private set; }
    public TimeSpan? StopTime { get; private set; }

    public string RecentOutput => string.Join(Environment.NewLine, _tail);

    public static EngineServer Attach(string server, int? pid, string? admin, byte[]? tokenKey)
    {
        LoadTestOptions.TryParseServer(server, out var host, out var port);
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        return new EngineServer(new IPEndPoint(address, port), pid, null, []) { AdminUrl = admin is null ? null : "http://" + admin, TokenKey = tokenKey };
    }

    public static EngineServer Start(LoadTestOptions options)
    {
        var path = Path.GetFullPath(options.EnginePath);
        if (!File.Exists(path))
        {
            throw new UsageException($"the engine binary is missing at {path}: run ./build.sh first, or pass --engine PATH or --server HOST:PORT");
        }
        var port = FreeUdpPort();
        var adminPort = FreeTcpPort();
        var inv = CultureInfo.InvariantCulture;
        // Thousands of players share each 127.0.0.x address here, which real players never do: the
        // per-address limits would see one abusive address, so they are off. Per-session limits stay on.
        // The hostile scenario keeps them on (its attack comes from addresses of its own), sized for the
        // players behind each swarm address with twice the headroom.
        var perAddressPackets = 0;
        var perAddressHandshakes = 0;
        if (options.Scenario.Attacks)
        {
            var playersPerAddress = (options.TotalClients + options.AddressCount - 1) / options.AddressCount;
            perAddressPackets = Math.Max(20_000, 2 * playersPerAddress * (options.InputRate + 2));
            perAddressHandshakes = Math.Max(100, 2 * 2 * options.ConnectRate / options.AddressCount);
        }
        var args = new List<string>
        {
            "--bind", "127.0.0.1", "--port", port.ToString(inv),
            // The swarm's players come from a few 127.0.0.x addresses.
            "--max-sessions-per-address", Math.Max(256, options.TotalClients).ToString(inv),
            "--packets-per-second-per-address", perAddressPackets.ToString(inv),
            "--handshakes-per-second-per-address", perAddressHandshakes.ToString(inv),
            "--max-sessions", Math.Max(65536, options.TotalClients * 2).ToString(inv),
            "--default-room-capacity", options.RoomSize.ToString(inv),
            "--max-players-per-room", Math.Max(options.RoomSize, 1).ToString(inv),
            "--max-spectators-per-room", Math.Max(256, options.Spectators).ToString(inv),
            "--max-rooms", Math.Max(4096, (options.TotalClients / Math.Max(1, options.RoomSize)) * 4).ToString(inv),
            "--tick-rate", options.TickRate.ToString(inv),
            "--snapshot-rate", options.SnapshotRate.ToString(inv),
            // The swarm asks for a stats line every second (SIGUSR1), so the periodic one is off.
            "--stats-interval-seconds", "0",
            // The admin endpoint on a free port (9100 may be another engine's): the swarm scrapes its /metrics.
            "--admin-port", adminPort.ToString(inv),
            // The swarm's players are still in their rooms when the run ends: SIGTERM stops at once instead of draining them.
            "--drain-timeout-seconds", "0",
        };
        if (options.Shards is int shards)
        {
            args.AddRange(["--shards", shards.ToString(inv)]);
        }
        if (options.EngineTimeoutMs is int timeout)
        {
            args.AddRange(["--timeout-ms", timeout.ToString(inv)]);
        }
        if (options.TickBudgetUs is int budget)
        {
            args.AddRange(["--tick-budget-us", budget.ToString(inv)]);
        }
        if (options.ReconnectWindowMs is int window)
        {
            args.AddRange(["--reconnect-window-ms", window.ToString(inv)]);
        }
        if (options.EmptyRoomGraceMs is int grace)
        {
            args.AddRange(["--empty-room-grace-ms", grace.ToString(inv)]);
        }
        byte[]? tokenKey = null;
        string? keyFile = null;
        if (options.Insecure)
        {
            args.Add("--insecure");
        }
        else
        {
            tokenKey = RandomNumberGenerator.GetBytes(32);
            keyFile = Path.Combine(Path.GetTempPath(), $"engine-loadtest-{Environment.ProcessId}-{port}.key");
            File.WriteAllText(keyFile, "", Encoding.ASCII);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            File.WriteAllText(keyFile, Convert.ToHexString(tokenKey), Encoding.ASCII);
            args.AddRange(["--token-key-file", keyFile]);
        }
        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        var process = new Process { StartInfo = psi };
        var server = new EngineServer(new IPEndPoint(IPAddress.Loopback, port), null, process, args)
        {
            AdminUrl = "http://127.0.0.1:" + adminPort.ToString(inv),
            TokenKey = tokenKey,
            _keyFile = keyFile,
        };
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        s_live = process;
        server.Pid = process.Id;
        var deadline = Stopwatch.StartNew();
        while (!server._listening)
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                if (process.HasExited)
                {
                    process.WaitForExit(); // drain its output
                }
                var why = process.HasExited ? $"exited with code {process.ExitCode}" : "did not say it was listening within 20 s";
                throw new InvalidOperationException($"the engine {why}. Its output:{Environment.NewLine}{server.RecentOutput}");
            }
            Thread.Sleep(20);
        }
        return server;
    }

    private static Process? s_live;

    /// <summary>Kills a started engine that is still running (Ctrl+C, a crash of the swarm).</summary>
    public static void KillIfRunning()
    {
        try
        {
            if (s_live is { HasExited: false } p)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _tail.Enqueue(line);
        while (_tail.Count > 60)
        {
            _tail.TryDequeue(out _);
        }
        if (line.Contains("listening on", StringComparison.Ordinal))
        {
            ListeningLine ??= line[(line.IndexOf("listening on", StringComparison.Ordinal))..];
            _listening = true;
        }
        if (line.Contains("stats sessions=", StringComparison.Ordinal))
        {
            _statsLines.TryAdd(line);
        }
    }

    /// <summary>Asks the server for a stats line now (SIGUSR1) and waits for it; null when it does not answer in time.</summary>
    public string? RequestStats(TimeSpan timeout)
    {
        if (Pid is not int pid)
        {
            return null;
        }
        while (_statsLines.TryTake(out _))
        {
        }
        Signal(pid, "USR1");
        return _statsLines.TryTake(out var line, timeout) ? line : null;
    }

    /// <summary>SIGTERM, then waits for the clean exit (the engine disconnects everyone and exits 0 within its deadline).</summary>
    public int? Stop(TimeSpan grace)
    {
        if (_process is null)
        {
            return null;
        }
        if (!_process.HasExited)
        {
            var sw = Stopwatch.StartNew();
            Signal(_process.Id, "TERM");
            if (!_process.WaitForExit(grace))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
                return ExitCode = null;
            }
            StopTime = sw.Elapsed;
        }
        _process.WaitForExit();
        return ExitCode = _process.ExitCode;
    }

    private static void Signal(int pid, string signal)
    {
        // P/Invoke stays in Engine.Transport; one kill(1) a second is cheap enough off the swarm thread.
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit(2000);
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            Stop(TimeSpan.FromSeconds(5));
        }
        _process?.Dispose();
        _statsLines.Dispose();
        if (_keyFile is not null)
        {
            File.Delete(_keyFile);
        }
    }
}
