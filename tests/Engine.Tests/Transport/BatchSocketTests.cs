using System.Net;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class BatchSocketTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void Platform_IsSupported_OnLinux()
    {
        Assert.Equal(OperatingSystem.IsLinux(), TransportPlatform.IsSupported);
        Assert.StartsWith("Linux ", TransportPlatform.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BindsEphemeralPort_AndReportsGrantedBuffers()
    {
        using BatchSocket socket = Loopback.Open(IPAddress.Loopback);

        Assert.Equal(IPAddress.Loopback, socket.LocalEndPoint.Address);
        Assert.NotEqual(0, socket.LocalEndPoint.Port);
        Assert.False(socket.IsDualStack);

        // Linux reports twice what was set (bookkeeping). With CAP_NET_ADMIN the FORCE options ignore rmem_max,
        // so a privileged process gets at least what it asked for; otherwise the kernel caps it.
        Assert.True(socket.ReceiveBufferBytes > 0);
        Assert.True(socket.SendBufferBytes > 0);
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(2 * 1024 * 1024, socket.ReceiveBufferBytes);
            Assert.Equal(2 * 1024 * 1024, socket.SendBufferBytes);
        }
    }

    [Fact]
    public void Open_PortInUse_ThrowsTransportExceptionNamingErrno()
    {
        using BatchSocket first = Loopback.Open(IPAddress.Loopback);

        TransportException exception = Assert.Throws<TransportException>(
            () => Loopback.Open(IPAddress.Loopback, port: first.LocalEndPoint.Port));

        Assert.Contains("cannot bind 127.0.0.1:" + first.LocalEndPoint.Port, exception.Message, StringComparison.Ordinal);
        Assert.Contains("EADDRINUSE", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Receive_NothingWaiting_ReturnsZeroWithoutError()
    {
        using BatchSocket socket = Loopback.Open(IPAddress.Loopback);
        using var batch = new ReceiveBatch(8);

        Assert.Equal(0, socket.Receive(batch));
        Assert.Equal(0, batch.Count);
        Assert.False(socket.WaitReadable(10));
        Assert.Equal(0, socket.Counters.ReceiveErrors);
        Assert.Equal(1, socket.Counters.ReceiveCalls);
    }

    [Fact]
    public void SendReceive_RoundTrip_IPv4()
    {
        using BatchSocket server = Loopback.Open(IPAddress.Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(16);
        using var receive = new ReceiveBatch(16);
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);

        for (int i = 0; i < 5; i++)
        {
            Span<byte> buffer = send.NextBuffer();
            buffer[0] = (byte)i;
            buffer[1..(i + 10)].Fill((byte)(0xA0 + i));
            send.Commit(serverAddress, i + 10);
        }

        Assert.Equal(5, client.Send(send));
        Assert.Equal(0, send.Count);

        var seen = new List<byte[]>();
        PeerAddress? source = null;
        int received = Loopback.ReceiveAtLeast(server, receive, 5, s_timeout, b =>
        {
            for (int i = 0; i < b.Count; i++)
            {
                seen.Add(b.Payload(i).ToArray());
                source = b.Source(i);
            }
        });

        Assert.Equal(5, received);
        for (int i = 0; i < 5; i++)
        {
            byte[] payload = seen.Single(p => p[0] == i);
            Assert.Equal(i + 10, payload.Length);
            Assert.All(payload[1..], b => Assert.Equal((byte)(0xA0 + i), b));
        }

        Assert.Equal(client.LocalEndPoint, source!.Value.ToEndPoint());
        Assert.Equal(PeerAddress.FromEndPoint(client.LocalEndPoint), source.Value);

        // The source round-trips as the reply's destination.
        Assert.True(send.TryAdd(source.Value, "pong"u8));
        Assert.Equal(1, server.Send(send));
        Assert.Equal(1, Loopback.ReceiveAtLeast(client, receive, 1, s_timeout));
        Assert.True(receive.Payload(0).SequenceEqual("pong"u8));
        Assert.Equal(serverAddress, receive.Source(0));

        SocketCounters clientCounters = client.Counters;
        Assert.Equal(5, clientCounters.DatagramsSent);
        Assert.Equal(Enumerable.Range(0, 5).Sum(i => i + 10), clientCounters.BytesSent);
        Assert.Equal(0, clientCounters.SendErrors);
        Assert.Equal(0, clientCounters.SendDrops);
        Assert.Equal(5, server.Counters.DatagramsReceived);
        Assert.Equal(Enumerable.Range(0, 5).Sum(i => i + 10), server.Counters.BytesReceived);
    }

    [Fact]
    public void Receive_DatagramLongerThanSlot_IsDroppedAndCounted()
    {
        using BatchSocket server = Loopback.Open(IPAddress.Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(4, 1500);
        using var receive = new ReceiveBatch(4, 100);
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);

        Assert.True(send.TryAdd(serverAddress, new byte[101]));
        Assert.True(send.TryAdd(serverAddress, new byte[100]));
        Assert.Equal(2, client.Send(send));

        int received = Loopback.ReceiveAtLeast(server, receive, 1, s_timeout);
        received += Loopback.Drain(server, receive, TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, received);
        Assert.Equal(1, server.Counters.TruncatedDatagrams);
    }

    [Fact]
    public void SendBatch_TracksCapacityAndRejectsOversize()
    {
        using var batch = new SendBatch(2, 10);
        PeerAddress destination = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 9));

        Assert.Equal(10, batch.NextBuffer().Length);
        Assert.False(batch.TryAdd(destination, new byte[11]));
        Assert.True(batch.TryAdd(destination, new byte[10]));
        batch.Commit(destination, 3);
        Assert.True(batch.IsFull);
        Assert.Equal(0, batch.NextBuffer().Length);
        Assert.False(batch.TryAdd(destination, new byte[1]));
        Assert.Throws<InvalidOperationException>(() => batch.Commit(destination, 1));
        batch.Clear();
        Assert.Equal(0, batch.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Commit(destination, 11));
    }

    [Fact]
    public void Send_RefusedDestination_IsSkippedAndCounted_OthersStillSent()
    {
        using BatchSocket server = Loopback.Open(IPAddress.Loopback);
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(4);
        using var receive = new ReceiveBatch(4);

        // An IPv6 destination on an IPv4 socket: the kernel refuses that message alone (EAFNOSUPPORT).
        PeerAddress wrongFamily = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, server.LocalEndPoint.Port));
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);
        Assert.True(send.TryAdd(serverAddress, "a"u8));
        Assert.True(send.TryAdd(wrongFamily, "b"u8));
        Assert.True(send.TryAdd(serverAddress, "c"u8));

        Assert.Equal(2, client.Send(send));
        Assert.Equal(1, client.Counters.SendErrors);
        Assert.Equal(2, Loopback.ReceiveAtLeast(server, receive, 2, s_timeout));
    }

    [Fact]
    public void ThreadAffinity_PinsFreshThreadToCpu0()
    {
        bool pinned = false;
        var thread = new Thread(() => pinned = ThreadAffinity.TryPinCurrentThread(0));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.True(pinned);
        Assert.False(ThreadAffinity.TryPinCurrentThread(-1));
        Assert.False(ThreadAffinity.TryPinCurrentThread(100_000));
    }

    [Fact]
    public void ThreadAffinity_AllowedCpus_are_the_process_mask_and_a_pinned_thread_sees_only_its_cpu()
    {
        var allowed = ThreadAffinity.AllowedCpus();
        Assert.Equal(Environment.ProcessorCount, allowed.Length);
        Assert.Equal(allowed.Order(), allowed);
        int[] seenByPinned = [];
        var last = allowed[^1];
        var thread = new Thread(() =>
        {
            if (ThreadAffinity.TryPinCurrentThread(last))
            {
                seenByPinned = ThreadAffinity.AllowedCpus();
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal([last], seenByPinned);
    }
}
