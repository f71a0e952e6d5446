namespace Engine.Transport;

/// <summary>
/// Counters of one <see cref="BatchSocket"/>, updated by its owning thread without synchronisation.
/// <see cref="BatchSocket.Counters"/> returns a copy; each field is read atomically on 64-bit, the set is not.
/// </summary>
#pragma warning disable CA1051 // a plain bag of counters: fields so the hot path increments them in place
public struct SocketCounters
{
    /// <summary>recvmmsg calls.</summary>
    public long ReceiveCalls;
    public long DatagramsReceived;
    public long BytesReceived;

    /// <summary>sendmmsg calls (a partial send costs more than one).</summary>
    public long SendCalls;

    /// <summary>Datagrams handed to the kernel (GSO segments count one each).</summary>
    public long DatagramsSent;
    public long BytesSent;

    /// <summary>Datagrams dropped because the socket stayed full (EAGAIN after the 1 ms wait).</summary>
    public long SendDrops;

    /// <summary>recvmmsg failures other than EAGAIN/EINTR.</summary>
    public long ReceiveErrors;

    /// <summary>Datagrams the kernel refused (ECONNREFUSED, ENETUNREACH, EMSGSIZE...): skipped.</summary>
    public long SendErrors;

    /// <summary>Datagrams longer than the receive slot: dropped, never delivered cut.</summary>
    public long TruncatedDatagrams;

    /// <summary>The kernel's cumulative count of datagrams dropped on this socket's full receive queue (SO_RXQ_OVFL).</summary>
    public long KernelDrops;

    /// <summary>Messages sent with a UDP_SEGMENT control message (each carries several datagrams).</summary>
    public long GsoMessages;

    /// <summary>Datagrams that went out inside GSO messages.</summary>
    public long GsoSegmentsCoalesced;

    /// <summary>The counters of every socket of a group added up.</summary>
    public static SocketCounters Total(IEnumerable<BatchSocket> sockets)
    {
        var total = default(SocketCounters);
        foreach (var socket in sockets)
        {
            total.Add(socket.Counters);
        }
        return total;
    }

    /// <summary>Adds another socket's counters to these (the totals of a group of sockets).</summary>
    public void Add(in SocketCounters other)
    {
        ReceiveCalls += other.ReceiveCalls;
        DatagramsReceived += other.DatagramsReceived;
        BytesReceived += other.BytesReceived;
        SendCalls += other.SendCalls;
        DatagramsSent += other.DatagramsSent;
        BytesSent += other.BytesSent;
        SendDrops += other.SendDrops;
        ReceiveErrors += other.ReceiveErrors;
        SendErrors += other.SendErrors;
        TruncatedDatagrams += other.TruncatedDatagrams;
        KernelDrops += other.KernelDrops;
        GsoMessages += other.GsoMessages;
        GsoSegmentsCoalesced += other.GsoSegmentsCoalesced;
    }
}
#pragma warning restore CA1051
