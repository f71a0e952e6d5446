using Engine.Protocol.Security;
using Engine.Server.Security;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>
/// A verified hello handed to the shard chosen to own the new session: the welcome to send and, on a
/// secure server, the session's keys from the token (owned by the session from then on).
/// </summary>
internal readonly record struct Admission(PeerAddress Address, ulong Nonce, ulong ConnectionId, PacketProtection? Keys, ulong TokenPlayerId, WelcomeDatagram Welcome);
