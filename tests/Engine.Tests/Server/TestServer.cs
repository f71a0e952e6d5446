using System.Net;
using System.Security.Cryptography;
using Engine.Client;
using Engine.Protocol.Security;
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
            // Plaintext unless a test asks for tokens and sealing (see Secure).
            Insecure = true,
        };
        configure?.Invoke(options);
        Server = new GameServer(options);
        Server.Start();
    }

    /// <summary>A server that requires connect tokens issued with <see cref="TokenKey"/> and seals every packet.</summary>
    public static TestServer Secure(Action<ServerOptions>? configure = null)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var server = new TestServer(o =>
        {
            o.Insecure = false;
            o.ConnectTokenKey = key;
            configure?.Invoke(o);
        });
        server.TokenKey = key;
        return server;
    }

    public GameServer Server { get; }
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Server.LocalEndPoint!.Port);

    /// <summary>The key tokens are sealed with; null for an insecure server.</summary>
    public byte[]? TokenKey { get; private set; }

    private long _nextPlayerId;

    /// <summary>A token for this server, as the game's backend would issue it.</summary>
    public ConnectToken IssueToken(ulong? playerId = null, TimeSpan? lifetime = null, IReadOnlyList<IPEndPoint>? servers = null, DateTimeOffset? now = null) =>
        ConnectToken.Issue(TokenKey ?? throw new InvalidOperationException("The server is insecure."),
            playerId ?? (ulong)Interlocked.Increment(ref _nextPlayerId), servers ?? [EndPoint], lifetime ?? TimeSpan.FromSeconds(30), now: now);

    public List<EngineClient> ConnectClients(int count, TimeSpan timeout)
    {
        var clients = Enumerable.Range(0, count).Select(_ => new EngineClient()).ToList();
        foreach (var client in clients)
        {
            if (TokenKey is null)
            {
                client.Connect(EndPoint);
            }
            else
            {
                client.Connect(IssueToken());
            }
        }
        PumpUntil(clients, () => clients.All(c => c.IsConnected), timeout);
        return clients;
    }

    /// <summary>
    /// Each client sends its own index as a 4-byte message; the array counts, per client, the
    /// echoes of exactly that message it has received since (an echo server sends them back).
    /// </summary>
    public static int[] SendNumberedEchoes(IReadOnlyList<EngineClient> clients)
    {
        var echoed = new int[clients.Count];
        for (var i = 0; i < clients.Count; i++)
        {
            var index = i;
            clients[i].MessageReceived += payload =>
            {
                if (payload.Length == 4 && BitConverter.ToInt32(payload) == index)
                {
                    echoed[index]++;
                }
            };
            Xunit.Assert.True(clients[i].Send(BitConverter.GetBytes(i)));
        }
        return echoed;
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
