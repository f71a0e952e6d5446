namespace Engine.Protocol.Sessions;

/// <summary>What one end knows about its connection. Loss is estimated from the ack bitfields.</summary>
public struct ConnectionStats
{
    public long PacketsSent;
    public long PacketsReceived;
    public long BytesSent;
    public long BytesReceived;
    public long MessagesSent;
    public long MessagesReceived;
    public long PacketsAcked;
    public long PacketsLost;

    /// <summary>Smoothed round-trip time in microseconds (RFC 6298 style), 0 until the first pong.</summary>
    public long SmoothedRttUs;
    public long LastRttUs;
    public long RttVarianceUs;

    /// <summary>Pongs that gave an RTT sample (the smoothed RTT changed with each).</summary>
    public long RttSamples;

    /// <summary>Reliable messages accepted by QueueReliable.</summary>
    public long ReliableSent;

    /// <summary>Reliable units (whole messages or fragments) sent again after their resend timeout.</summary>
    public long ReliableResent;

    /// <summary>Reliable units the peer acknowledged.</summary>
    public long ReliableAcked;

    /// <summary>Reliable messages handed to the application, in order, exactly once.</summary>
    public long ReliableDelivered;

    /// <summary>Reliable units received again (resends whose first copy arrived); dropped.</summary>
    public long ReliableDuplicates;

    /// <summary>Reliable units with an id past the receive window; dropped (a correct peer never sends them).</summary>
    public long ReliableOutOfWindow;

    /// <summary>Fragments dropped by reassembly: inconsistent with the message in progress or past 64 KiB.</summary>
    public long ReliableFragmentsDropped;

    public readonly double LossRatio => PacketsAcked + PacketsLost == 0 ? 0 : (double)PacketsLost / (PacketsAcked + PacketsLost);
}
