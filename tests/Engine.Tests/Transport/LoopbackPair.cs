using System.Net;
using Engine.Transport;

namespace Engine.Tests.Transport;

/// <summary>Helpers shared by the loopback tests: bounded waits only.</summary>
internal static class Loopback
{
    public static BatchSocket Open(IPAddress address, bool reusePort = false, int port = 0) =>
        BatchSocket.Open(new BatchSocketOptions
        {
            BindAddress = address,
            Port = port,
            ReusePort = reusePort,
            ReceiveBufferBytes = 1024 * 1024,
            SendBufferBytes = 1024 * 1024,
        });

    /// <summary>Receives until <paramref name="expected"/> datagrams arrived or <paramref name="timeout"/> passed.</summary>
    public static int ReceiveAtLeast(BatchSocket socket, ReceiveBatch batch, int expected, TimeSpan timeout, Action<ReceiveBatch>? onBatch = null)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int total = 0;
        while (total < expected)
        {
            long remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                break;
            }

            if (!socket.WaitReadable((int)Math.Min(remaining, 100)))
            {
                continue;
            }

            int count = socket.Receive(batch);
            if (count > 0)
            {
                total += count;
                onBatch?.Invoke(batch);
            }
        }

        return total;
    }

    /// <summary>Drains whatever is still queued, waiting up to <paramref name="quiet"/> for stragglers.</summary>
    public static int Drain(BatchSocket socket, ReceiveBatch batch, TimeSpan quiet, Action<ReceiveBatch>? onBatch = null)
    {
        int total = 0;
        while (socket.WaitReadable((int)quiet.TotalMilliseconds))
        {
            int count = socket.Receive(batch);
            total += count;
            if (count > 0)
            {
                onBatch?.Invoke(batch);
            }
        }

        return total;
    }
}
