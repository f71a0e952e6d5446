using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Engine.Tests.LoadTest.Distributed;

/// <summary>
/// Debian's nats-server, started by the test on 127.0.0.1 and a free port (installed first by
/// loadtest/ensure-nats-server.sh when missing); killed on dispose.
/// </summary>
internal sealed class NatsServerProcess : IDisposable
{
    private readonly Process _process;

    private NatsServerProcess(Process process, int port)
    {
        _process = process;
        Url = $"nats://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static NatsServerProcess Start()
    {
        Ensure(TimeSpan.FromMinutes(5));
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var process = Process.Start(new ProcessStartInfo("nats-server", ["-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new NatsServerProcess(process, port);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static void Ensure(TimeSpan timeout)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
        {
            directory = directory.Parent;
        }
        Assert.True(directory is not null, "cannot find the repository (Engine.sln) above " + AppContext.BaseDirectory);
        var script = Path.Combine(directory.FullName, "loadtest", "ensure-nats-server.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"installing nats-server took longer than {timeout.TotalSeconds:F0} s");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"cannot install nats-server (needed by this test): {error.Result}{output.Result}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
