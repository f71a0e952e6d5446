using System.Collections.Concurrent;
using System.Diagnostics;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// A child echo server: started, watched until it says it is listening, asked for its
/// allocation counter, stopped with SIGTERM (then killed) with bounded waits throughout.
/// </summary>
internal abstract class ServerProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, Process> s_live = new();

    private readonly BlockingCollection<string> _lines = new(new ConcurrentQueue<string>());
    private readonly Queue<string> _tail = new();
    private readonly Process _process;
    private bool _stopped;

    static ServerProcess()
    {
        // Ctrl+C or an unhandled exception must not leave servers running.
        Console.CancelKeyPress += (_, _) => KillAll();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    protected ServerProcess(string fileName, IEnumerable<string> arguments, bool redirectInput)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
            psi.ArgumentList.Add(a);
        CommandLine = fileName + " " + string.Join(' ', psi.ArgumentList);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        if (!_process.Start())
            throw new InvalidOperationException($"could not start {CommandLine}");
        s_live[_process.Id] = _process;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string CommandLine { get; }
    public int Pid => _process.Id;
    protected Process Process => _process;

    /// <summary>Total bytes the server process has allocated, or null when it cannot say (native servers).</summary>
    public abstract long? ReadAllocatedBytes(TimeSpan timeout);

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40)
                _tail.Dequeue();
        }
        try
        {
            _lines.TryAdd(line);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Output after Stop: only the tail above keeps it.
        }
    }

    public string RecentOutput()
    {
        lock (_tail)
            return string.Join(Environment.NewLine, _tail);
    }

    public void WaitForLine(string marker, TimeSpan timeout)
    {
        if (WaitForLineContaining(marker, timeout) is null)
        {
            string why = _process.HasExited ? $"exited with code {_process.ExitCode}" : $"did not print '{marker}' within {timeout.TotalSeconds:0} s";
            throw new InvalidOperationException($"{CommandLine} {why}. Its last output:{Environment.NewLine}{RecentOutput()}");
        }
    }

    /// <summary>Drops lines printed so far, so the next wait sees only fresh output.</summary>
    protected void DiscardPendingLines()
    {
        while (_lines.TryTake(out _))
        {
        }
    }

    protected string? WaitForLineContaining(string marker, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            TimeSpan left = timeout - sw.Elapsed;
            if (left <= TimeSpan.Zero)
                return null;
            // Poll in short slices so an exited process is noticed.
            if (_lines.TryTake(out string? line, TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds))))
            {
                if (line.Contains(marker, StringComparison.Ordinal))
                    return line;
            }
            else if (_process.HasExited && _lines.Count == 0)
            {
                return null;
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL. Returns the exit code when it exited by itself.</summary>
    public int? Stop(TimeSpan grace)
    {
        if (_stopped)
            return _process.HasExited ? _process.ExitCode : null;
        _stopped = true;
        try
        {
            if (!_process.HasExited)
            {
                OnStopping();
                Native.Kill(_process.Id, Native.SigTerm);
                if (!_process.WaitForExit(grace))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(5));
                    return null;
                }
            }
            _process.WaitForExit(TimeSpan.FromSeconds(1)); // flush the async readers
            return _process.ExitCode;
        }
        finally
        {
            s_live.TryRemove(_process.Id, out _);
            _lines.CompleteAdding();
        }
    }

    protected virtual void OnStopping()
    {
    }

    public void Dispose()
    {
        try
        {
            Stop(TimeSpan.FromSeconds(3));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
        _lines.Dispose();
    }

    private static void KillAll()
    {
        foreach (Process p in s_live.Values)
        {
            try
            {
                if (!p.HasExited)
                    p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
