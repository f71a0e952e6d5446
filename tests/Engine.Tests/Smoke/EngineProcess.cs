using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Engine.Tests.Smoke;

/// <summary>The published native-AOT `engine` binary, started as a child process with its output captured.</summary>
internal sealed class EngineProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private EngineProcess(Process process)
    {
        _process = process;
    }

    /// <summary>When the test started the process (the wall clock, for figures the engine reports about itself).</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public static string BinaryPath
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("ENGINE_BINARY");
            if (string.IsNullOrEmpty(path))
            {
                var directory = new DirectoryInfo(AppContext.BaseDirectory);
                while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
                {
                    directory = directory.Parent;
                }
                path = directory is null ? "artifacts/bin/engine" : Path.Combine(directory.FullName, "artifacts", "bin", "engine");
            }
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The AOT binary is missing at {path}: run ./build.sh (or ./build.sh test) first.", path);
            }
            return path;
        }
    }

    public int Id => _process.Id;
    public string Output { get { lock (_output) { return _output.ToString(); } } }
    public string Error { get { lock (_error) { return _error.ToString(); } } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts the binary; it runs --insecure (ENGINE_INSECURE) unless the arguments choose a security
    /// mode themselves (--token-key, --token-key-file, --insecure) or <paramref name="environment"/> sets one.
    /// </summary>
    public static EngineProcess Start(params string[] arguments) => Start(arguments, null);

    public static EngineProcess Start(string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The admin endpoint defaults to port 9100; tests that want it pass --admin-port (which beats
        // the environment), the rest must not collide on 9100 with each other or a running engine.
        info.Environment["ENGINE_ADMIN_PORT"] = "0";
        info.Environment.Remove("ENGINE_TOKEN_KEY");
        info.Environment.Remove("ENGINE_INSECURE");
        if (!arguments.Any(a => a.StartsWith("--token-key", StringComparison.Ordinal) || a.StartsWith("--insecure", StringComparison.Ordinal) || a == "token")
            && environment is null)
        {
            info.Environment["ENGINE_INSECURE"] = "true";
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = info };
        var engine = new EngineProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (engine._output) { engine._output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (engine._error) { engine._error.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return engine;
    }

    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
            Thread.Sleep(20);
        }
        return Output.Contains(text, StringComparison.Ordinal);
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _process.WaitForExit(); // drain the output readers
        return true;
    }

    public void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal.ToString(), _process.Id.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit(5000);
    }

    /// <summary>Runs the binary with bad arguments: it must exit 2 with exactly one line on stderr, containing <paramref name="message"/>.</summary>
    public static void AssertRefusedConfiguration(string message, params string[] arguments)
    {
        using var engine = Start(arguments);
        Xunit.Assert.True(engine.WaitForExit(TimeSpan.FromSeconds(15)));
        Xunit.Assert.Equal(2, engine.ExitCode);
        Xunit.Assert.Contains(message, engine.Error);
        Xunit.Assert.Single(engine.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A UDP port that was free a moment ago.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
