using System.Runtime.CompilerServices;
using Engine.Protocol.Wire;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>
/// A datagram that reached the old shard of a session that moved, passed on so that no packet
/// sent before the client switched ids is lost.
/// </summary>
internal struct ForwardedDatagram
{
    public PeerAddress Source;
    public int Length;
    public DatagramBytes Bytes;
}

[InlineArray(ProtocolConstants.MaxDatagram)]
internal struct DatagramBytes
{
    private byte _first;
}
