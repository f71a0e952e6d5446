using System.Net;
using System.Runtime.CompilerServices;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class AllocationTests
{
    private const int WarmupRoundTrips = 2_000;
    private const int MeasuredRoundTrips = 5_000;

    /// <summary>
    /// Steady state of the data path allocates nothing: send, wait, receive and reply, thousands of times on
    /// loopback, measured on this thread after warm-up (so tiering and first-call work are done).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SendReceiveRoundTrips_AllocateZeroBytes(bool ipv6)
    {
        IPAddress address = ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using BatchSocket server = Loopback.Open(address);
        using BatchSocket client = Loopback.Open(address);
        using var clientSend = new SendBatch(8);
        using var serverSend = new SendBatch(8);
        using var clientReceive = new ReceiveBatch(8);
        using var serverReceive = new ReceiveBatch(8);
        PeerAddress serverAddress = PeerAddress.FromEndPoint(server.LocalEndPoint);

        Assert.Equal(WarmupRoundTrips, RoundTrips(WarmupRoundTrips, client, server, clientSend, serverSend, clientReceive, serverReceive, serverAddress));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int completed = RoundTrips(MeasuredRoundTrips, client, server, clientSend, serverSend, clientReceive, serverReceive, serverAddress);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(MeasuredRoundTrips, completed);
        Assert.Equal(0, allocated);
        Assert.Equal(0, client.Counters.SendErrors + server.Counters.SendErrors + client.Counters.ReceiveErrors + server.Counters.ReceiveErrors);
    }

    // Each round trip: the client sends three datagrams (two of equal size, so GSO is on the path too), the
    // server echoes each back to its source, the client receives the three echoes.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int RoundTrips(int count, BatchSocket client, BatchSocket server, SendBatch clientSend, SendBatch serverSend, ReceiveBatch clientReceive, ReceiveBatch serverReceive, in PeerAddress serverAddress)
    {
        for (int trip = 0; trip < count; trip++)
        {
            for (int d = 0; d < 3; d++)
            {
                Span<byte> buffer = clientSend.NextBuffer();
                int length = d == 2 ? 40 : 100;
                buffer[..length].Fill((byte)trip);
                clientSend.Commit(serverAddress, length);
            }

            if (client.Send(clientSend) != 3)
            {
                return trip;
            }

            if (!Echo(server, serverReceive, serverSend, 3))
            {
                return trip;
            }

            int received = 0;
            while (received < 3)
            {
                if (!client.WaitReadable(2_000))
                {
                    return trip;
                }

                received += client.Receive(clientReceive);
            }
        }

        return count;
    }

    private static bool Echo(BatchSocket server, ReceiveBatch receive, SendBatch send, int expected)
    {
        int echoed = 0;
        while (echoed < expected)
        {
            if (!server.WaitReadable(2_000))
            {
                return false;
            }

            int count = server.Receive(receive);
            for (int i = 0; i < count; i++)
            {
                if (!send.TryAdd(receive.Source(i), receive.Payload(i)))
                {
                    return false;
                }
            }

            echoed += server.Send(send);
        }

        return true;
    }
}
