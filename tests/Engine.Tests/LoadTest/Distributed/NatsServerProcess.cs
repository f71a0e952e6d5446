using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Engine.Tests.Smoke;

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
        InstallScript.Run(Path.Combine("loadtest", "ensure-nats-server.sh"), "nats-server", TimeSpan.FromMinutes(5));
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
