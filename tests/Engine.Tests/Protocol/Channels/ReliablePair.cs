using Engine.Protocol;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Tests.Netcode;
using Xunit;

namespace Engine.Tests.Protocol.Channels;

/// <summary>Two connections joined by a <see cref="LossyNetwork"/>, driven by a simulated clock.</summary>
internal sealed class ReliablePair
{
    private readonly byte[] _buffer = new byte[ProtocolConstants.MaxDatagram];
    private ConnectionTests.Collector _atA;
    private ConnectionTests.Collector _atB;

    public ReliablePair(LossyNetwork network, ConnectionOptions? options = null)
    {
        Network = network;
        options ??= ConnectionOptions.Default;
        A = new Connection(0x4242, options, 0);
        B = new Connection(0x4242, options, 0);
    }

    public LossyNetwork Network { get; }
    public Connection A { get; }
    public Connection B { get; }
    public long NowUs { get; private set; }
    public int OversizedPackets { get; private set; }

    public List<byte[]> ReliableAtA => _atA.Reliable ??= [];
    public List<byte[]> ReliableAtB => _atB.Reliable ??= [];

    /// <summary>Advances the clock, delivers what is due, then lets both sides send everything due.</summary>
    public void Step(long elapsedUs)
    {
        NowUs += elapsedUs;
        while (Network.TryDeliver(NowUs, out var datagram))
        {
            var to = datagram.To == 0 ? A : B;
            if (SessionHeader.TryRead(datagram.Data, out var header) != DropReason.None)
            {
                continue;
            }
            if (datagram.To == 0)
            {
                to.Receive(header, datagram.Data, NowUs, ref _atA);
            }
            else
            {
                to.Receive(header, datagram.Data, NowUs, ref _atB);
            }
        }
        Flush(A, 0);
        Flush(B, 1);
    }

    private void Flush(Connection connection, int from)
    {
        for (var guard = 0; guard < 1000; guard++)
        {
            var length = connection.PollSend(_buffer, NowUs);
            if (length == 0)
            {
                return;
            }
            if (length > connection.Options.MaxPayload)
            {
                OversizedPackets++;
            }
            Network.Send(from, _buffer.AsSpan(0, length), NowUs);
        }
        Assert.Fail("PollSend never ran dry");
    }
}
