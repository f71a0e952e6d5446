using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;

namespace Engine.Server.Limits;

/// <summary>
/// A shard's load guard: a token bucket over every datagram the shard takes. Over its rate the
/// shard sheds the cheapest traffic first: new handshakes once the bucket is half empty,
/// everything but established sessions below a quarter, and session packets only when it is
/// empty. Owned by the shard thread; time comes in.
/// </summary>
internal struct LoadGuard
{
    private readonly RateLimit _limit;
    private TokenBucket _bucket;

    /// <param name="packetsPerSecond">0 = unlimited. The burst is a tenth of a second of traffic: the guard reacts fast, and sheds in tiers.</param>
    public LoadGuard(int packetsPerSecond)
    {
        _limit = RateLimit.Of(packetsPerSecond, Math.Max(64, packetsPerSecond / 10));
        _bucket = TokenBucket.Full(_limit, 0);
    }

    /// <summary>True to take the datagram, false to shed it.</summary>
    public bool TryAdmit(PacketType type, ReadOnlySpan<byte> datagram, long nowUs)
    {
        if (_limit.IsUnlimited)
        {
            return true;
        }
        var level = _bucket.Level(_limit, nowUs);
        var shed = type switch
        {
            PacketType.Session => level * _limit.Burst < 1,
            PacketType.Hello when HandshakePackets.IsFirstHello(datagram) => level < 0.5,
            _ => level < 0.25,
        };
        return !shed && _bucket.TryTake(_limit, nowUs);
    }
}
