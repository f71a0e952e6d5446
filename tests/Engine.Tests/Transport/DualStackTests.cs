using System.Net;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class DualStackTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void IPv6Loopback_RoundTrip()
    {
        using BatchSocket server = Loopback.Open(IPAddress.IPv6Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.IPv6Loopback);
        Assert.False(server.IsDualStack);
        Assert.Equal(IPAddress.IPv6Loopback, server.LocalEndPoint.Address);

        AssertEcho(server, client, PeerAddress.FromEndPoint(server.LocalEndPoint), expectedSource: client.LocalEndPoint);
    }

    [Fact]
    public void DualStackSocket_ReceivesIPv4_AsV4Mapped_AndRepliesToTheSource()
    {
        using BatchSocket server = Loopback.Open(IPAddress.IPv6Any);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        Assert.True(server.IsDualStack);

        var serverV4 = new IPEndPoint(IPAddress.Loopback, server.LocalEndPoint.Port);
        PeerAddress source = AssertEcho(
            server,
            client,
            PeerAddress.FromEndPoint(serverV4),
            expectedSource: new IPEndPoint(client.LocalEndPoint.Address.MapToIPv6(), client.LocalEndPoint.Port));

        // The v4-mapped source and the client's own IPv4 address identify the same peer for the handshake.
        Assert.True(source.IsIPv6);
        Assert.Equal(PeerAddress.FromEndPoint(client.LocalEndPoint, mapToIPv6: true), source);
        byte[] fromSource = new byte[PeerAddress.CanonicalLength];
        byte[] fromV4 = new byte[PeerAddress.CanonicalLength];
        source.WriteCanonicalBytes(fromSource);
        PeerAddress.FromEndPoint(client.LocalEndPoint).WriteCanonicalBytes(fromV4);
        Assert.Equal(fromV4, fromSource);
    }

    [Fact]
    public void DualStackSocket_CanSendToPlainIPv4Address()
    {
        using BatchSocket server = Loopback.Open(IPAddress.IPv6Any);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(2);
        using var receive = new ReceiveBatch(2);

        Assert.True(send.TryAdd(PeerAddress.FromEndPoint(client.LocalEndPoint), "hello"u8));
        Assert.Equal(1, server.Send(send));
        Assert.Equal(1, Loopback.ReceiveAtLeast(client, receive, 1, s_timeout));
        Assert.True(receive.Payload(0).SequenceEqual("hello"u8));
        Assert.Equal(server.LocalEndPoint.Port, receive.Source(0).Port);
    }

    [Fact]
    public void KernelDrops_AreReportedFromRxqOverflow()
    {
        // A tiny receive buffer that is flooded without being read: the kernel drops and counts, and tells us the
        // cumulative count on the next datagram it does queue.
        using BatchSocket server = BatchSocket.Open(new BatchSocketOptions
        {
            BindAddress = IPAddress.Loopback,
            ReceiveBufferBytes = 4096,
        });
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(64, 200);
        using var receive = new ReceiveBatch(64);
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);
        const int Flood = 200;

        int sent = 0;
        for (int i = 0; i < Flood; i++)
        {
            send.TryAdd(serverAddress, new byte[150]);
            if (send.IsFull || i == Flood - 1)
            {
                sent += client.Send(send);
            }
        }

        Assert.Equal(Flood, sent);
        int received = Loopback.Drain(server, receive, TimeSpan.FromMilliseconds(50));
        Assert.InRange(received, 1, Flood - 1);

        send.TryAdd(serverAddress, new byte[10]);
        Assert.Equal(1, client.Send(send));
        Assert.Equal(1, Loopback.ReceiveAtLeast(server, receive, 1, s_timeout));

        Assert.Equal(Flood - received, server.Counters.KernelDrops);
    }

    private static PeerAddress AssertEcho(BatchSocket server, BatchSocket client, PeerAddress serverAddress, IPEndPoint expectedSource)
    {
        using var send = new SendBatch(4);
        using var receive = new ReceiveBatch(4);

        Assert.True(send.TryAdd(serverAddress, "ping"u8));
        Assert.Equal(1, client.Send(send));
        Assert.Equal(1, Loopback.ReceiveAtLeast(server, receive, 1, s_timeout));
        Assert.True(receive.Payload(0).SequenceEqual("ping"u8));
        PeerAddress source = receive.Source(0);
        Assert.Equal(expectedSource, source.ToEndPoint());

        Assert.True(send.TryAdd(source, "pong"u8));
        Assert.Equal(1, server.Send(send));
        Assert.Equal(1, Loopback.ReceiveAtLeast(client, receive, 1, s_timeout));
        Assert.True(receive.Payload(0).SequenceEqual("pong"u8));
        Assert.Equal(server.LocalEndPoint.Port, receive.Source(0).Port);
        return source;
    }
}
