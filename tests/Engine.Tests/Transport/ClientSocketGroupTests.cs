using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

/// <summary>The multiplexed clients' socket group over real loopback sockets: epoll names the ready sockets.</summary>
public class ClientSocketGroupTests
{
    private static ClientSocketGroup OpenGroup(BatchSocket server, int sockets) =>
        new(server.LocalEndPoint, Enumerable.Range(0, sockets)
            .Select(_ => new BatchSocketOptions { BindAddress = IPAddress.Loopback, Port = 0, ReceiveBufferBytes = 256 * 1024 })
            .ToArray());

    /// <summary>The server sends <paramref name="count"/> datagrams to socket <paramref name="socket"/> of the group.</summary>
    private static void SendTo(BatchSocket server, ClientSocketGroup group, int socket, int count)
    {
        using var send = new SendBatch(64);
        var destination = PeerAddress.FromEndPoint(group.Socket(socket).LocalEndPoint);
        for (var i = 0; i < count; i++)
        {
            if (send.IsFull)
            {
                server.Send(send);
            }
            var buffer = send.NextBuffer();
            buffer[0] = (byte)socket;
            send.Commit(destination, 1 + (i % 7));
        }
        Assert.Equal(count % 64 == 0 ? 64 : count % 64, server.Send(send));
    }

    /// <summary>Waits (bounded) until the ready sockets are exactly <paramref name="expected"/>.</summary>
    private static SortedSet<int> WaitForReady(ClientSocketGroup group, IReadOnlyCollection<int> expected)
    {
        var ready = new SortedSet<int>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            ready.Clear();
            var count = group.WaitReadable(100);
            for (var i = 0; i < count; i++)
            {
                ready.Add(group.ReadySocket(i));
            }
            if (ready.Count >= expected.Count)
            {
                break;
            }
        }
        return ready;
    }

    [Fact]
    public unsafe void Epoll_event_layouts_match_the_kernel_abi()
    {
        // x86-64: struct epoll_event is packed (data at offset 4); elsewhere naturally aligned.
        Assert.Equal(12, sizeof(Interop.Sys.EpollEventPacked));
        Assert.Equal(16, sizeof(Interop.Sys.EpollEventAligned));
        Assert.Equal(RuntimeInformation.ProcessArchitecture == Architecture.X64,
            Interop.Sys.EpollEventIsPacked);
    }

    [Fact]
    public void Wait_names_exactly_the_sockets_with_datagrams_among_a_thousand()
    {
        using var server = Loopback.Open(IPAddress.Loopback);
        using var group = OpenGroup(server, 1000);
        Assert.Equal(0, group.WaitReadable(0));

        SendTo(server, group, 0, 1);
        SendTo(server, group, 417, 3);
        SendTo(server, group, 999, 2);
        var ready = WaitForReady(group, [0, 417, 999]);
        Assert.Equal([0, 417, 999], ready);

        foreach (var socket in ready)
        {
            var n = group.Receive(socket);
            Assert.Equal(socket switch { 0 => 1, 417 => 3, _ => 2 }, n);
            Assert.Equal((byte)socket, group.Received(socket).Payload(0)[0]);
        }
        Assert.Equal(0, group.WaitReadable(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.ReadySocket(0));
    }

    [Fact]
    public void A_socket_left_with_datagrams_is_named_again()
    {
        using var server = Loopback.Open(IPAddress.Loopback);
        using var group = OpenGroup(server, 8);
        SendTo(server, group, 5, 100); // more than one receive batch
        Assert.Equal([5], WaitForReady(group, [5]));
        var total = 0;
        var deadline = Stopwatch.StartNew();
        while (total < 100 && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            total += group.Receive(5);
            if (total < 100)
            {
                Assert.Equal([5], WaitForReady(group, [5]));
            }
        }
        Assert.Equal(100, total);
        Assert.Equal(0, group.WaitReadable(0));
    }

    [Fact]
    public void Wait_blocks_until_the_timeout_when_nothing_arrives_and_wakes_for_a_datagram()
    {
        using var server = Loopback.Open(IPAddress.Loopback);
        using var group = OpenGroup(server, 4);
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(0, group.WaitReadable(50));
        Assert.True(stopwatch.ElapsedMilliseconds >= 40, $"returned after {stopwatch.ElapsedMilliseconds} ms");

        using var sender = new Timer(_ => SendTo(server, group, 2, 1), null, 50, Timeout.Infinite);
        stopwatch.Restart();
        Assert.Equal(1, group.WaitReadable(5000));
        Assert.True(stopwatch.ElapsedMilliseconds < 4000, $"woke after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(2, group.ReadySocket(0));
    }

    [Fact]
    public void Sends_reach_the_server_from_every_socket()
    {
        using var server = Loopback.Open(IPAddress.Loopback);
        using var group = OpenGroup(server, 3);
        for (var s = 0; s < group.Count; s++)
        {
            var buffer = group.NextSendBuffer(s);
            buffer[0] = (byte)s;
            group.CommitSend(s, 1);
        }
        group.Flush();
        using var receive = new ReceiveBatch(16);
        var sources = new HashSet<IPEndPoint>();
        Assert.Equal(3, Loopback.ReceiveAtLeast(server, receive, 3, TimeSpan.FromSeconds(5), b =>
        {
            for (var i = 0; i < b.Count; i++)
            {
                sources.Add(b.Source(i).ToEndPoint());
            }
        }));
        Assert.Equal(Enumerable.Range(0, 3).Select(s => group.Socket(s).LocalEndPoint).ToHashSet(), sources);
    }

    [Fact]
    public void Waiting_and_receiving_from_the_ready_sockets_allocate_nothing()
    {
        using var server = Loopback.Open(IPAddress.Loopback);
        using var group = OpenGroup(server, 16);
        using var send = new SendBatch(8);
        var targets = new[] { PeerAddress.FromEndPoint(group.Socket(3).LocalEndPoint), PeerAddress.FromEndPoint(group.Socket(12).LocalEndPoint) };
        int Round()
        {
            foreach (var target in targets)
            {
                send.NextBuffer()[0] = 1;
                send.Commit(target, 1);
            }
            server.Send(send);
            var received = 0;
            var deadline = Environment.TickCount64 + 5000;
            while (received < targets.Length && Environment.TickCount64 < deadline)
            {
                var ready = group.WaitReadable(100);
                for (var r = 0; r < ready; r++)
                {
                    received += group.Receive(group.ReadySocket(r));
                }
            }
            return received;
        }
        Assert.Equal(2, Round()); // first calls: stubs bound, JIT done

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var round = 0; round < 50; round++)
        {
            total += Round();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, total);
        Assert.Equal(0, allocated);
    }
}
