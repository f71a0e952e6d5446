using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

/// <summary>
/// One connected socket per client over real loopback sockets: each has its own source port and its own
/// server, epoll names the ready ones, and the shared batches never mix two clients' datagrams.
/// </summary>
public class ConnectedSocketGroupTests
{
    private static BatchSocketOptions[] Options(int sockets, int addresses) =>
        [.. Enumerable.Range(0, sockets).Select(i => new BatchSocketOptions
        {
            BindAddress = new IPAddress([127, 0, 0, (byte)(2 + (i % addresses))]),
            Port = 0,
            ReceiveBufferBytes = 64 * 1024,
            SendBufferBytes = 64 * 1024,
        })];

    private static BatchSocket Server() => BatchSocket.Open(new BatchSocketOptions
    {
        BindAddress = IPAddress.Loopback,
        ReceiveBufferBytes = 8 * 1024 * 1024,
        SendBufferBytes = 1024 * 1024,
    });

    private static void SendIndex(ConnectedSocketGroup group, int socket)
    {
        var buffer = group.NextSendBuffer(socket);
        BinaryPrimitives.WriteInt32LittleEndian(buffer, socket);
        group.CommitSend(4);
    }

    /// <summary>The server echoes every datagram back to its source; returns the distinct sources it saw.</summary>
    private static HashSet<IPEndPoint> Echo(BatchSocket server, int expected)
    {
        using var receive = new ReceiveBatch(64);
        using var send = new SendBatch(64);
        var sources = new HashSet<IPEndPoint>();
        var got = Loopback.ReceiveAtLeast(server, receive, expected, TimeSpan.FromSeconds(10), b =>
        {
            for (var i = 0; i < b.Count; i++)
            {
                sources.Add(b.Source(i).ToEndPoint());
                Assert.True(send.TryAdd(b.Source(i), b.Payload(i)));
            }
            server.Send(send);
        });
        Assert.Equal(expected, got);
        return sources;
    }

    /// <summary>Receives from the ready sockets until <paramref name="expected"/> datagrams arrived; each must carry its socket's index.</summary>
    private static (int Datagrams, int MostReadyInOneWait) ReceiveRouted(ConnectedSocketGroup group, int expected)
    {
        var total = 0;
        var most = 0;
        var deadline = Stopwatch.StartNew();
        while (total < expected && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var ready = group.WaitReadable(100);
            most = Math.Max(most, ready);
            for (var r = 0; r < ready; r++)
            {
                var socket = group.ReadySocket(r);
                var n = group.Receive(socket);
                for (var i = 0; i < n; i++)
                {
                    Assert.Equal(socket, BinaryPrimitives.ReadInt32LittleEndian(group.Received.Payload(i)));
                }
                total += n;
            }
        }
        return (total, most);
    }

    [Fact]
    public void Two_thousand_sockets_each_have_their_own_source_and_replies_come_back_on_the_socket_that_sent()
    {
        const int sockets = 2000;
        using var server = Server();
        using var group = new ConnectedSocketGroup(Options(sockets, 4), [server.LocalEndPoint]);
        Assert.Equal(4, Enumerable.Range(0, sockets).Select(i => group.Socket(i).LocalEndPoint.Address).Distinct().Count());
        Assert.Equal(0, group.WaitReadable(0));

        for (var s = 0; s < sockets; s++)
        {
            SendIndex(group, s);
        }
        group.Flush();

        var sources = Echo(server, sockets);
        Assert.Equal(sockets, sources.Count);
        Assert.Equal(sources, Enumerable.Range(0, sockets).Select(i => group.Socket(i).LocalEndPoint).ToHashSet());

        var (datagrams, most) = ReceiveRouted(group, sockets);
        Assert.Equal(sockets, datagrams);
        Assert.InRange(most, 2, ConnectedSocketGroup.MaxReadyPerWait); // many ready sockets per epoll_wait, never more than the buffer
        Assert.Equal(0, group.WaitReadable(0));
        var counters = group.TotalCounters();
        Assert.Equal(sockets, counters.DatagramsSent);
        Assert.Equal(sockets, counters.DatagramsReceived);
        Assert.Equal(0, counters.GsoMessages);
    }

    [Fact]
    public void More_ready_sockets_than_one_wait_names_are_named_by_the_next_waits()
    {
        const int sockets = 1500;
        using var server = Server();
        using var group = new ConnectedSocketGroup(Options(sockets, 2), [server.LocalEndPoint]);
        for (var s = 0; s < sockets; s++)
        {
            SendIndex(group, s);
        }
        group.Flush();
        Echo(server, sockets);

        // Once the echoes have landed, one wait names as many sockets as its buffer holds; the rest follow.
        var deadline = Stopwatch.StartNew();
        while (group.WaitReadable(0) < ConnectedSocketGroup.MaxReadyPerWait && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
        }
        Assert.Equal(ConnectedSocketGroup.MaxReadyPerWait, group.WaitReadable(0));
        var (datagrams, _) = ReceiveRouted(group, sockets);
        Assert.Equal(sockets, datagrams);
    }

    [Fact]
    public void Each_socket_talks_to_its_own_server_and_hears_only_from_it()
    {
        using var a = Server();
        using var b = Server();
        var servers = Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? a.LocalEndPoint : b.LocalEndPoint).ToArray();
        using var group = new ConnectedSocketGroup(Options(10, 2), servers);
        group.Connect(3, a.LocalEndPoint); // moved to another server, keeping its port
        Assert.Equal(a.LocalEndPoint, group.Peer(3));
        var port = group.Socket(3).LocalEndPoint.Port;

        for (var s = 0; s < 10; s++)
        {
            SendIndex(group, s);
        }
        group.Flush();

        static SortedSet<int> Senders(BatchSocket server, int expected)
        {
            using var receive = new ReceiveBatch(64);
            var senders = new SortedSet<int>();
            Assert.Equal(expected, Loopback.ReceiveAtLeast(server, receive, expected, TimeSpan.FromSeconds(5), batch =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    senders.Add(BinaryPrimitives.ReadInt32LittleEndian(batch.Payload(i)));
                }
            }));
            return senders;
        }
        Assert.Equal([0, 2, 3, 4, 6, 8], Senders(a, 6));
        Assert.Equal([1, 5, 7, 9], Senders(b, 4));
        Assert.Equal(port, group.Socket(3).LocalEndPoint.Port);

        // A datagram from a server the socket is not connected to never reaches it (the kernel drops it).
        using var send = new SendBatch(4);
        Assert.True(send.TryAdd(PeerAddress.FromEndPoint(group.Socket(1).LocalEndPoint), [1, 0, 0, 0]));
        Assert.Equal(1, a.Send(send));
        Assert.True(send.TryAdd(PeerAddress.FromEndPoint(group.Socket(0).LocalEndPoint), [0, 0, 0, 0]));
        Assert.Equal(1, a.Send(send));
        var (datagrams, _) = ReceiveRouted(group, 1);
        Assert.Equal(1, datagrams);
        Thread.Sleep(50);
        Assert.Equal(0, group.WaitReadable(0));
        Assert.Equal(0, group.Socket(1).Counters.DatagramsReceived);
    }

    [Fact]
    public void A_clients_datagrams_go_out_in_one_send_on_its_socket_never_with_another_clients()
    {
        using var server = Server();
        using var group = new ConnectedSocketGroup(Options(2, 1), [server.LocalEndPoint]);
        for (var d = 0; d < 3; d++)
        {
            SendIndex(group, 0);
        }
        Assert.Equal(0, group.Socket(0).Counters.SendCalls);
        SendIndex(group, 1); // another socket: socket 0's datagrams go first
        Assert.Equal(1, group.Socket(0).Counters.SendCalls);
        Assert.Equal(3, group.Socket(0).Counters.DatagramsSent);
        SendIndex(group, 1);
        group.Flush();
        Assert.Equal(1, group.Socket(1).Counters.SendCalls);
        Assert.Equal(2, group.Socket(1).Counters.DatagramsSent);

        using var receive = new ReceiveBatch(64);
        var from = new List<int>();
        Assert.Equal(5, Loopback.ReceiveAtLeast(server, receive, 5, TimeSpan.FromSeconds(5), batch =>
        {
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.Equal(group.Socket(BinaryPrimitives.ReadInt32LittleEndian(batch.Payload(i))).LocalEndPoint, batch.Source(i).ToEndPoint());
                from.Add(BinaryPrimitives.ReadInt32LittleEndian(batch.Payload(i)));
            }
        }));
        Assert.Equal([0, 0, 0, 1, 1], from);
    }

    [Fact]
    public void Steady_round_trips_over_many_sockets_allocate_nothing()
    {
        const int sockets = 200;
        using var server = Server();
        using var group = new ConnectedSocketGroup(Options(sockets, 4), [server.LocalEndPoint]);
        using var serverReceive = new ReceiveBatch(64);
        using var serverSend = new SendBatch(64);

        Assert.Equal(20 * sockets, Passes(20, group, server, serverReceive, serverSend));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var received = Passes(100, group, server, serverReceive, serverSend);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100 * sockets, received);
        Assert.Equal(0, allocated);
    }

    // Each pass: every socket sends its index, the server echoes everything, the group receives every echo.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Passes(int passes, ConnectedSocketGroup group, BatchSocket server, ReceiveBatch serverReceive, SendBatch serverSend)
    {
        var received = 0;
        for (var pass = 0; pass < passes; pass++)
        {
            for (var s = 0; s < group.Count; s++)
            {
                SendIndex(group, s);
            }
            group.Flush();
            var echoed = 0;
            var deadline = Environment.TickCount64 + 5000;
            while (echoed < group.Count && Environment.TickCount64 < deadline)
            {
                if (!server.WaitReadable(100))
                {
                    continue;
                }
                var n = server.Receive(serverReceive);
                for (var i = 0; i < n; i++)
                {
                    serverSend.TryAdd(serverReceive.Source(i), serverReceive.Payload(i));
                }
                server.Send(serverSend);
                echoed += n;
            }
            var want = received + group.Count;
            while (received < want && Environment.TickCount64 < deadline)
            {
                var ready = group.WaitReadable(100);
                for (var r = 0; r < ready; r++)
                {
                    var socket = group.ReadySocket(r);
                    var n = group.Receive(socket);
                    for (var i = 0; i < n; i++)
                    {
                        if (BinaryPrimitives.ReadInt32LittleEndian(group.Received.Payload(i)) == socket)
                        {
                            received++;
                        }
                    }
                }
            }
        }
        return received;
    }
}
