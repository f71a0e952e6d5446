using System.Net;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class GsoTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void GsoIsAvailableOnThisKernel()
    {
        using BatchSocket socket = Loopback.Open(IPAddress.Loopback);
        Assert.True(socket.GsoEnabled);
    }

    [Theory]
    [InlineData(0)] // all equal
    [InlineData(37)] // the last one shorter
    public void TenEqualDatagrams_GoOutAsOneMessage_ArriveAsTen(int lastShorterBy)
    {
        using BatchSocket server = Loopback.Open(IPAddress.Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(16);
        using var receive = new ReceiveBatch(16);
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);
        const int Size = 200;

        for (int i = 0; i < 10; i++)
        {
            int length = i == 9 ? Size - lastShorterBy : Size;
            Span<byte> buffer = send.NextBuffer();
            for (int b = 0; b < length; b++)
            {
                buffer[b] = (byte)((i * 31) + b);
            }

            send.Commit(serverAddress, length);
        }

        Assert.Equal(10, client.Send(send));

        var payloads = new List<byte[]>();
        Assert.Equal(10, Loopback.ReceiveAtLeast(server, receive, 10, s_timeout, b =>
        {
            for (int i = 0; i < b.Count; i++)
            {
                payloads.Add(b.Payload(i).ToArray());
            }
        }));

        // Ten separate datagrams, in order, each with its own intact contents.
        for (int i = 0; i < 10; i++)
        {
            byte[] payload = payloads[i];
            Assert.Equal(i == 9 ? Size - lastShorterBy : Size, payload.Length);
            for (int b = 0; b < payload.Length; b++)
            {
                Assert.Equal((byte)((i * 31) + b), payload[b]);
            }
        }

        SocketCounters counters = client.Counters;
        Assert.Equal(1, counters.SendCalls);
        Assert.Equal(1, counters.GsoMessages);
        Assert.Equal(10, counters.GsoSegmentsCoalesced);
        Assert.Equal(10, counters.DatagramsSent);
        Assert.Equal((10 * Size) - lastShorterBy, counters.BytesSent);
    }

    [Fact]
    public void Coalescing_RespectsDestinationSizeOrderAndSteering()
    {
        using var batch = new SendBatch(32, 256);
        PeerAddress a = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 1000));
        PeerAddress b = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 1001));

        Add(batch, a, 100, 0x00, 0); // run 1: a x3 (100, 100, 60)
        Add(batch, a, 100, 0x00, 0);
        Add(batch, a, 60, 0x00, 0);
        Add(batch, a, 100, 0x00, 0); // run 2: after a shorter one a new run starts
        Add(batch, b, 100, 0x00, 0); // run 3: other destination
        Add(batch, a, 100, 0x00, 0); // run 4: single (next one is longer)
        Add(batch, a, 120, 0x00, 0); // run 5: single
        Add(batch, a, 100, 0x10, 0); // run 6: session packets for shard 0 x2
        Add(batch, a, 100, 0x10, 0);
        Add(batch, a, 100, 0x10, 1); // run 7: shard 1 must not ride in shard 0's message
        Add(batch, a, 16, 0x10, 1); // run 8: a too-short session packet is never coalesced
        Add(batch, a, 16, 0x10, 1); // run 9

        Assert.Equal(9, batch.BuildMessages(0, gso: true));
        int[] expected = [3, 1, 1, 1, 1, 2, 1, 1, 1];
        for (int m = 0; m < expected.Length; m++)
        {
            Assert.Equal(expected[m], batch.SegmentsOf(m));
        }

        Assert.Equal(12, batch.BuildMessages(0, gso: false));
    }

    [Fact]
    public void Coalescing_StopsAt64Segments()
    {
        using var batch = new SendBatch(100, 32);
        PeerAddress a = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 1000));
        for (int i = 0; i < 100; i++)
        {
            Add(batch, a, 32, 0, 0);
        }

        Assert.Equal(2, batch.BuildMessages(0, gso: true));
        Assert.Equal(64, batch.SegmentsOf(0));
        Assert.Equal(36, batch.SegmentsOf(1));
    }

    [Fact]
    public void ManyRuns_ToSeveralReceivers_AllArriveIntact()
    {
        using BatchSocket server1 = Loopback.Open(IPAddress.Loopback);
        using BatchSocket server2 = Loopback.Open(IPAddress.Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(128, 1200);
        using var receive = new ReceiveBatch(64);
        PeerAddress one = PeerAddress.FromEndPoint(server1.LocalEndPoint);
        PeerAddress two = PeerAddress.FromEndPoint(server2.LocalEndPoint);

        // 100 datagrams of 1200 bytes to one receiver: two GSO messages (64 + 36); then 20 small ones to the other.
        for (int i = 0; i < 100; i++)
        {
            Add(send, one, 1200, 0x01, (byte)i); // handshake-like (not steered); byte 1 numbers it
        }

        for (int i = 0; i < 20; i++)
        {
            Add(send, two, 50, 0x01, (byte)i);
        }

        Assert.Equal(120, client.Send(send));
        Assert.Equal(3, client.Counters.GsoMessages);
        Assert.Equal(120, client.Counters.GsoSegmentsCoalesced);

        var firstBytes = new HashSet<int>();
        Assert.Equal(100, Loopback.ReceiveAtLeast(server1, receive, 100, s_timeout, b =>
        {
            for (int i = 0; i < b.Count; i++)
            {
                Assert.Equal(1200, b.Payload(i).Length);
                Assert.True(firstBytes.Add(b.Payload(i)[1]));
            }
        }));
        Assert.Equal(20, Loopback.ReceiveAtLeast(server2, receive, 20, s_timeout));
    }

    private static void Add(SendBatch batch, in PeerAddress destination, int length, byte b0, byte b1)
    {
        Span<byte> buffer = batch.NextBuffer()[..length];
        buffer.Fill(0x5A);
        buffer[0] = b0;
        buffer[1] = b1;
        batch.Commit(destination, length);
    }
}
