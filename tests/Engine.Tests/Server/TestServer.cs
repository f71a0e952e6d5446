using System.Net;
using Engine.Client;
using Engine.Server;

namespace Engine.Tests.Server;

/// <summary>A real server on 127.0.0.1 with an ephemeral port, and helpers to drive many clients against it.</summary>
internal sealed class TestServer : IDisposable
{
    public TestServer(Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions
        {
            Bind = "127.0.0.1",
            Port = 0,
            Shards = 2,
            TimeoutMs = 1000,
            PingIntervalMs = 100,
            TimerIntervalMs = 10,
            Echo = true,
            StatsIntervalSeconds = 0,
            // Hundreds of test clients connect from 127.0.0.1 within a second; tests of the limit set their own.
            HandshakesPerSecondPerAddress = 1000,
        };
        configure?.Invoke(options);
        Server = new GameServer(options);
        Server.Start();
    }

    public GameServer Server { get; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Server.LocalEndPoint!.Port);

    public List<EngineClient> ConnectClients(int count, TimeSpan timeout)
    {
        var clients = Enumerable.Range(0, count).Select(_ => new EngineClient()).ToList();
        foreach (var client in clients)
        {
            client.Connect(EndPoint);
        }
        PumpUntil(clients, () => clients.All(c => c.IsConnected), timeout);
        return clients;
    }

    /// <summary>Updates every client until the condition holds or the time is up; returns the condition.</summary>
    public static bool PumpUntil(IReadOnlyList<EngineClient> clients, Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var client in clients)
            {
                client.Update();
            }
            if (condition())
            {
                return true;
            }
            Thread.Sleep(1);
        }
        return condition();
    }

    public static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            Thread.Sleep(5);
        }
        return condition();
    }

    public void Dispose() => Server.Dispose();
}
