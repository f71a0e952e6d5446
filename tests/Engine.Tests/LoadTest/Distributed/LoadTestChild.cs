using System.Diagnostics;
using System.Text;

namespace Engine.Tests.LoadTest.Distributed;

/// <summary>The built `loadtest` executable running beside the test (a coordinator or an agent), its output kept; killed on dispose if still running.</summary>
internal sealed class LoadTestChild : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public LoadTestChild(params string[] arguments)
    {
        var info = new ProcessStartInfo(LoadTestProcess.LoadTestBinary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The exit code, or null when it did not exit in time (it is then killed).</summary>
    public int? WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            return null;
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process vanishes without a word, as a crashed or cut-off agent does.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
