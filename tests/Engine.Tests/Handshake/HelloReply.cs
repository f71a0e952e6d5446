using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;
using Engine.Server.Handshake;
using Xunit;

namespace Engine.Tests.Handshake;

/// <summary>What a hello came to: the service's outcome and a copy of the reply it wrote, read back with the protocol's readers.</summary>
internal sealed record HelloReply(HelloOutcome Outcome, byte[] Bytes)
{
    public bool IsSilent => Bytes.Length == 0 && !Outcome.Admitted;

    public PacketType Type => Bytes.Length == 0 ? 0 : (PacketType)Bytes[0];

    public RejectReason Rejected
    {
        get
        {
            Assert.Equal(PacketType.Reject, Type);
            Assert.Equal(DropReason.None, HandshakePackets.TryReadReject(Bytes, out _, out var reason));
            return reason;
        }
    }

    /// <summary>The welcome sent again for a retransmitted hello.</summary>
    public Welcome Welcome
    {
        get
        {
            Assert.Equal(PacketType.Welcome, Type);
            Assert.Equal(DropReason.None, HandshakePackets.TryReadWelcome(Bytes, out var welcome));
            return welcome;
        }
    }

    public byte[] Cookie
    {
        get
        {
            Assert.Equal(PacketType.Challenge, Type);
            Assert.Equal(DropReason.None, HandshakePackets.TryReadChallenge(Bytes, out _, out var cookie));
            return cookie.ToArray();
        }
    }

    /// <summary>The welcome the admitting shard is to send, as bytes.</summary>
    public byte[] AdmissionWelcome
    {
        get
        {
            Assert.True(Outcome.Admitted, "no admission");
            var bytes = new byte[Outcome.Admission.Welcome.Length];
            Outcome.Admission.Welcome.CopyTo(bytes);
            return bytes;
        }
    }
}
