using System.Globalization;
using System.Reflection;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// This executable again, with the hidden litenetlib-server verb, so the LiteNetLib
/// server's CPU time and allocations are its own process's.
/// </summary>
internal sealed class LiteNetLibServerProcess : ServerProcess
{
    public LiteNetLibServerProcess(int port, string mode)
        : base(SelfPath(out string[] prefix), [.. prefix, "litenetlib-server", "--port", port.ToString(CultureInfo.InvariantCulture), "--mode", mode], redirectInput: true)
    {
    }

    // Under `dotnet run` the process is the apphost; under `dotnet x.dll` it is dotnet itself.
    private static string SelfPath(out string[] prefix)
    {
        string path = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            prefix = [Assembly.GetExecutingAssembly().Location];
            return path;
        }
        prefix = [];
        return path;
    }

    public override long? ReadAllocatedBytes(TimeSpan timeout)
    {
        DiscardPendingLines();
        Process.StandardInput.WriteLine("stats");
        Process.StandardInput.Flush();
        string? line = WaitForLineContaining("allocated=", timeout);
        return line is null ? null : EngineServerProcess.ParseField(line, "allocated=");
    }

    protected override void OnStopping()
    {
        try
        {
            Process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }
}
