using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>A verified hello handed to the shard chosen to own the new session.</summary>
internal readonly record struct Admission(PeerAddress Address, ulong Nonce, ulong ConnectionId);
