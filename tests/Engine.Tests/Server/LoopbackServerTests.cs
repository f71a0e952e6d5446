using System.Net;
using System.Net.Sockets;
using Engine.Client;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Server;

/// <summary>The real server over real UDP sockets on loopback: two shards, many clients.</summary>
public class LoopbackServerTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Two_hundred_clients_connect_ping_echo_and_time_out_with_every_packet_on_its_shard()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(200, s_timeout);
        Assert.All(clients, c => Assert.True(c.IsConnected));
        Assert.Equal(200, server.Server.SessionCount);

        // Pings both ways: every client gets a round-trip time.
        Assert.True(TestServer.PumpUntil(clients, () => clients.All(c => c.Ping > TimeSpan.Zero), s_timeout));

        // Echo: each client sends a message and gets the same bytes back.
        var echoed = TestServer.SendNumberedEchoes(clients);
        Assert.True(TestServer.PumpUntil(clients, () => echoed.All(n => n == 1), s_timeout));

        // Steering: placement spread the sessions, and every session packet reached its owner.
        var shards = server.Server.ShardCounters;
        Assert.Equal(2, shards.Count);
        Assert.All(shards, s => Assert.InRange(s.SessionsOpened, 80, 120));
        Assert.All(shards, s => Assert.True(s.OwnSessionPackets >= 200, $"only {s.OwnSessionPackets} session packets"));
        Assert.All(shards, s => Assert.Equal(0, s.MisroutedSessionPackets));
        Assert.All(shards, s => Assert.Equal(0, s.Drops(DropReason.UnknownSession)));
        Assert.All(shards, s => Assert.Equal(0, s.TotalDrops()));

        // Silence: the clients stop talking and the server times every session out.
        Assert.True(TestServer.WaitFor(() => server.Server.SessionCount == 0, s_timeout));
        Assert.Equal(200, shards.Sum(s => s.SessionsTimedOut));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void Clients_that_disconnect_are_removed_at_once()
    {
        using var server = new TestServer(o => o.TimeoutMs = 10_000);
        var clients = server.ConnectClients(10, s_timeout);
        foreach (var client in clients)
        {
            client.Disconnect();
        }
        Assert.True(TestServer.WaitFor(() => server.Server.SessionCount == 0, s_timeout));
        Assert.Equal(0, server.Server.ShardCounters.Sum(s => s.SessionsTimedOut));

        // Each Disconnect is sent three times: the two copies after the first are repeats, not drops.
        Assert.True(TestServer.WaitFor(() => server.Server.ShardCounters.Sum(s => s.DisconnectRepeats) == 2 * clients.Count, s_timeout),
            $"{server.Server.ShardCounters.Sum(s => s.DisconnectRepeats)} repeats");
        Assert.All(server.Server.ShardCounters, s => Assert.Equal(0, s.TotalDrops()));

        // A packet under a closed session's id from another address is still unknown.
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var packet = new byte[ProtocolConstants.SessionHeaderSize];
        packet[0] = 0x10;
        BitConverter.TryWriteBytes(packet.AsSpan(ProtocolConstants.ConnectionIdOffset), clients[0].ConnectionId);
        stranger.Send(packet, server.EndPoint);
        Assert.True(TestServer.WaitFor(() => server.Server.ShardCounters.Sum(s => s.Drops(DropReason.UnknownSession)) == 1, s_timeout));
        Assert.Equal(2 * clients.Count, server.Server.ShardCounters.Sum(s => s.DisconnectRepeats));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void Shutdown_tells_every_client_why()
    {
        var server = new TestServer();
        var clients = server.ConnectClients(20, s_timeout);
        var stoppedCleanly = false;
        var stopping = new Thread(() => stoppedCleanly = server.Server.Stop(TimeSpan.FromSeconds(2)));
        stopping.Start();
        Assert.True(TestServer.PumpUntil(clients, () => clients.All(c => !c.IsConnected), s_timeout));
        Assert.True(stopping.Join(s_timeout) && stoppedCleanly);
        Assert.All(clients, c => Assert.Equal(DisconnectReason.ServerShuttingDown, c.DisconnectReason));
        server.Dispose();
    }

    [Fact]
    public void Garbage_forged_cookies_and_foreign_sessions_are_dropped_and_counted_while_players_play()
    {
        using var server = new TestServer();
        var clients = server.ConnectClients(5, s_timeout);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var target = server.EndPoint;
        var random = new Random(7);
        for (var i = 0; i < 500; i++)
        {
            var garbage = new byte[random.Next(0, 1400)];
            random.NextBytes(garbage);
            attacker.SendTo(garbage, target);
        }
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, 1, new byte[ProtocolConstants.CookieSize]);
        attacker.SendTo(hello, target);
        var session = new byte[ProtocolConstants.SessionHeaderSize];
        new SessionHeader(clients[0].ConnectionId, 1000, 0, 0, false).Write(session);
        attacker.SendTo(session, target); // right id, wrong address

        // Wait for every kind: the datagrams spread over both shards and finish in any order.
        var counters = server.Server.ShardCounters;
        Assert.True(TestServer.WaitFor(() => server.Server.GetStatistics().Drops >= 500
            && counters.Sum(s => s.Drops(DropReason.AddressMismatch)) >= 1
            && counters.Sum(s => s.Drops(DropReason.BadCookie) + s.Drops(DropReason.ExpiredCookie)) >= 1, s_timeout));
        Assert.Equal(1, counters.Sum(s => s.Drops(DropReason.AddressMismatch)));
        Assert.True(counters.Sum(s => s.Drops(DropReason.BadCookie) + s.Drops(DropReason.ExpiredCookie)) >= 1);

        // The players never noticed.
        var echoes = 0;
        clients[0].MessageReceived += _ => echoes++;
        clients[0].Send("still here"u8);
        Assert.True(TestServer.PumpUntil(clients, () => echoes == 1, s_timeout));
        Assert.All(clients, c => Assert.True(c.IsConnected));
    }

    [Fact]
    public void A_full_server_rejects_with_a_reason()
    {
        using var server = new TestServer(o => o.MaxSessions = 3);
        var clients = server.ConnectClients(3, s_timeout);
        using var late = new EngineClient();
        late.Connect(server.EndPoint);
        Assert.False(late.WaitUntilConnected(s_timeout));
        Assert.Equal(DisconnectReason.Rejected, late.DisconnectReason);
        Assert.Equal(RejectReason.ServerFull, late.RejectReason);
    }

    [Fact]
    public void IPv6_clients_connect_to_a_dual_stack_server_and_so_do_IPv4_clients()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return;
        }
        using var server = new TestServer(o => o.Bind = "::");
        using var v6 = new EngineClient();
        v6.Connect(new IPEndPoint(IPAddress.IPv6Loopback, server.Server.LocalEndPoint!.Port));
        using var v4 = new EngineClient();
        v4.Connect(new IPEndPoint(IPAddress.Loopback, server.Server.LocalEndPoint!.Port));
        Assert.True(TestServer.PumpUntil([v6, v4], () => v6.IsConnected && v4.IsConnected, s_timeout));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // every packet opened and sealed with AES-GCM
    public void The_steady_state_receive_parse_respond_loop_allocates_nothing_on_the_shard_threads(bool secure)
    {
        using var server = secure ? TestServer.Secure(o => o.TimeoutMs = 30_000) : new TestServer(o => o.TimeoutMs = 30_000);
        var clients = server.ConnectClients(50, s_timeout);
        var received = 0;
        foreach (var client in clients)
        {
            client.MessageReceived += _ => received++;
        }
        void Traffic(int rounds)
        {
            for (var round = 0; round < rounds; round++)
            {
                var target = received + clients.Count;
                foreach (var client in clients)
                {
                    client.Send("0123456789abcdef0123456789abcdef"u8);
                    client.Flush();
                }
                TestServer.PumpUntil(clients, () => received >= target, s_timeout);
            }
        }
        Traffic(200); // warm-up: tiered compilation, dictionary growth, first timers

        var counters = server.Server.ShardCounters;
        Thread.Sleep(100);
        var before = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();
        var packetsBefore = counters.Sum(c => c.OwnSessionPackets);
        Traffic(500);
        Thread.Sleep(100); // let each shard's timer pass sample its allocation counter again
        var after = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();

        Assert.True(counters.Sum(c => c.OwnSessionPackets) - packetsBefore >= 500 * clients.Count);
        Assert.All(before, b => Assert.True(b > 0, "the shard threads sample their allocations"));
        Assert.Equal(before, after);
    }

    [Fact]
    public void Players_joining_and_leaving_reuse_pooled_sessions_without_allocating_on_the_shards()
    {
        using var server = new TestServer(o => o.TimeoutMs = 30_000);
        void Churn(int rounds)
        {
            for (var round = 0; round < rounds; round++)
            {
                var clients = server.ConnectClients(20, s_timeout);
                Assert.All(clients, c => Assert.True(c.IsConnected));
                foreach (var client in clients)
                {
                    client.Dispose();
                }
                Assert.True(TestServer.WaitFor(() => server.Server.SessionCount == 0, s_timeout));
            }
        }
        Churn(5);
        var counters = server.Server.ShardCounters;
        Thread.Sleep(100);
        var before = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();
        var opened = counters.Sum(c => c.SessionsOpened);
        Churn(5);
        Thread.Sleep(100);
        var after = counters.Select(c => Volatile.Read(ref c.AllocatedBytes)).ToArray();
        Assert.Equal(opened + 100, counters.Sum(c => c.SessionsOpened));
        Assert.Equal(before, after);
    }
}
