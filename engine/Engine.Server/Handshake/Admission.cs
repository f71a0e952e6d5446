using Engine.Protocol.Security;
using Engine.Server.Security;
using Engine.Transport;

namespace Engine.Server.Handshake;

/// <summary>
/// A verified hello, placed: the shard that is to own the new session opens it under
/// <see cref="ConnectionId"/> and sends <see cref="Welcome"/>. On a secure server it carries the
/// session's keys from the token (owned by the session from then on) and the token's tag.
/// </summary>
internal readonly record struct Admission(PeerAddress Address, ulong Nonce, ulong ConnectionId, PacketProtection? Keys, ulong TokenPlayerId, TokenTag Tag, WelcomeDatagram Welcome);
