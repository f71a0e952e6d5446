using System.Runtime.CompilerServices;
using Engine.Protocol.Wire;
using Engine.Server.Sessions;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>What a session is moving to another shard for: a room to sit in (or a kept slot to take back).</summary>
internal readonly record struct PendingJoin(uint RoomId, bool Spectate, ushort RequestId, bool Resume, ulong TokenLow, ulong TokenHigh);

/// <summary>A session handed to the shard that owns the room it joins, with the id that steers its packets there.</summary>
internal readonly record struct HandOver(Session Session, ulong NewConnectionId, PendingJoin Join);

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
