using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Engine.Tests.Fleet;

/// <summary>
/// A real redis-server (Debian's, installed by ensure-redis.sh when missing) on 127.0.0.1 and a free
/// port, in memory only. It runs under coreutils' timeout, so it stops by itself even if the test
/// process dies; Stop and Start take it down and up again on the same port (an outage).
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private Process? _process;

    public RedisServer()
    {
        EnsureInstalled();
        Port = FreeTcpPort();
        Start();
    }

    public int Port { get; }
    public string Url => $"redis://127.0.0.1:{Port}";

    public void Start()
    {
        var info = new ProcessStartInfo("timeout", ["600", "redis-server", "--bind", "127.0.0.1", "--port", Port.ToString(), "--save", "", "--appendonly", "no", "--protected-mode", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (Ping())
            {
                return;
            }
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"redis-server did not answer PING on port {Port}");
    }

    /// <summary>Kills the server (as a crash would) and waits until its port is closed.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
        _process = null;
    }

    /// <summary>A raw RESP PING: true when the server answers +PONG.</summary>
    public bool Ping()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void EnsureInstalled()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
        {
            directory = directory.Parent;
        }
        var script = Path.Combine(directory?.FullName ?? ".", "tests", "Engine.Tests", "Fleet", "ensure-redis.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script]) { UseShellExecute = false })!;
        install.WaitForExit();
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException("ensure-redis.sh could not install redis-server");
        }
    }

    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Stop();
}
