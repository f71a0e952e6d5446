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

    public readonly double LossRatio => PacketsAcked + PacketsLost == 0 ? 0 : (double)PacketsLost / (PacketsAcked + PacketsLost);
}
