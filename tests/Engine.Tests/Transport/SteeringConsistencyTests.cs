using Engine.Protocol.Wire;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

// The kernel steering program and the protocol must agree on the bytes it reads, or session packets
// land on the wrong shard: fail the build's tests the day one side changes.
public sealed class SteeringConsistencyTests
{
    [Fact]
    public void SteeringConstants_MatchTheProtocol()
    {
        Assert.Equal(ProtocolConstants.TypeMask, SessionSteering.SessionTypeMask);
        Assert.Equal((byte)PacketType.Session, SessionSteering.SessionType);
        Assert.Equal(ProtocolConstants.SessionHeaderSize, SessionSteering.MinSessionPacketBytes);
        Assert.Equal(ProtocolConstants.ConnectionIdOffset, SessionSteering.ShardByteOffset);
    }
}
