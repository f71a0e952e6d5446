using System.Net;
using System.Net.Sockets;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server.Limits;
using Engine.Tests.Server;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Limits;

public class TokenBucketTests
{
    [Fact]
    public void A_bucket_allows_its_burst_then_its_rate()
    {
        var limit = RateLimit.Of(perSecond: 10, burst: 5);
        var bucket = TokenBucket.Full(limit, 0);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => bucket.TryTake(limit, 0)));
        Assert.False(bucket.TryTake(limit, 50_000));           // half a token back
        Assert.True(bucket.TryTake(limit, 100_000));           // one token after 100 ms
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => bucket.TryTake(limit, 10_000_000))); // never more than the burst
    }

    [Fact]
    public void Addresses_have_their_own_buckets_whatever_their_port_and_cost_nothing()
    {
        var table = new AddressRateTable(1024, RateLimit.Of(100, 3), RateLimit.Of(1, 1));
        var a = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 1000));
        var aOtherPort = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 2000));
        var b = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1000));
        Assert.True(table.TryTakePacket(a, 0) && table.TryTakePacket(aOtherPort, 0) && table.TryTakePacket(a, 0));
        Assert.False(table.TryTakePacket(aOtherPort, 0));
        Assert.True(table.TryTakePacket(b, 0));
        Assert.True(table.TryTakeHandshake(b, 0));
        Assert.False(table.TryTakeHandshake(b, 0));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var granted = 0;
        for (var i = 0; i < 10_000; i++)
        {
            granted += table.TryTakePacket(i % 2 == 0 ? a : b, i * 100) ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(granted > 100);
    }
}

/// <summary>The limits at work in the real server, with the flood coming from another loopback address than the players.</summary>
public class RateLimitTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    private static Socket Attacker()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        return socket;
    }

    [Fact]
    public void A_hello_flood_from_one_address_is_limited_while_players_elsewhere_connect()
    {
        using var server = new TestServer(o => o.HandshakesPerSecondPerAddress = 20);
        using var attacker = Attacker();
        var hello = new byte[ProtocolConstants.HelloSize];
        for (var i = 0; i < 2000; i++)
        {
            HandshakePackets.WriteHello(hello, (ulong)i + 1, default);
            attacker.SendTo(hello, server.EndPoint);
        }
        var clients = server.ConnectClients(5, s_timeout);
        Assert.All(clients, c => Assert.True(c.IsConnected));
        var counters = server.Server.ShardCounters;
        Assert.True(TestServer.WaitFor(() => counters.Sum(c => c.Drops(DropReason.HandshakeRateLimited)) > 1500, s_timeout));
        // At most the burst and the refill got a challenge.
        Assert.InRange(counters.Sum(c => c.ChallengesSent) - 5, 1, 200);
    }

    [Fact]
    public void A_session_that_floods_is_limited_and_the_others_do_not_notice()
    {
        using var server = new TestServer(o => { o.PacketsPerSecondPerSession = 100; o.TimeoutMs = 10_000; });
        var clients = server.ConnectClients(3, s_timeout);
        var flooder = clients[0];
        for (var i = 0; i < 1000; i++)
        {
            flooder.Send("spam"u8);
            flooder.Flush();
        }
        var counters = server.Server.ShardCounters;
        Assert.True(TestServer.WaitFor(() => counters.Sum(c => c.Drops(DropReason.SessionRateLimited)) >= 700, s_timeout));
        var echoes = 0;
        clients[1].MessageReceived += _ => echoes++;
        clients[1].Send("hello"u8);
        Assert.True(TestServer.PumpUntil(clients, () => echoes == 1, s_timeout));
        Assert.All(clients, c => Assert.True(c.IsConnected));
    }

    [Fact]
    public void An_overloaded_shard_sheds_handshakes_and_garbage_before_session_traffic()
    {
        using var server = new TestServer(o => { o.Shards = 1; o.ShardPacketsPerSecond = 5000; o.PacketsPerSecondPerAddress = 0; o.HandshakesPerSecondPerAddress = 0; o.TimeoutMs = 10_000; });
        var clients = server.ConnectClients(2, s_timeout);
        using var attacker = Attacker();
        var hello = new byte[ProtocolConstants.HelloSize];
        var echoes = 0;
        clients[0].MessageReceived += _ => echoes++;
        var sent = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < deadline)
        {
            // A flood far above the shard's guard, with a trickle of real play in it.
            for (var i = 0; i < 200; i++)
            {
                HandshakePackets.WriteHello(hello, (ulong)i + 1, default);
                attacker.SendTo(hello, server.EndPoint);
            }
            if (clients[0].Send("play"u8))
            {
                sent++;
            }
            clients[0].Flush();
            clients[0].Update();
            clients[1].Update();
            Thread.Sleep(2);
        }
        TestServer.PumpUntil(clients, () => echoes >= sent, TimeSpan.FromSeconds(2));
        var counters = server.Server.ShardCounters;
        Assert.True(counters.Sum(c => c.Drops(DropReason.Shed)) > 10_000, $"shed {counters.Sum(c => c.Drops(DropReason.Shed))}");
        Assert.True(echoes >= sent * 95 / 100, $"{echoes} of {sent} player messages came back");
        Assert.All(clients, c => Assert.True(c.IsConnected));
    }
}
