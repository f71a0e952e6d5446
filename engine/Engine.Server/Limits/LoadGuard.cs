using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;
using Engine.Server.Overload;

namespace Engine.Server.Limits;

/// <summary>
/// A shard's load guard: a token bucket over every datagram the shard takes. Over its rate the
/// shard sheds the cheapest traffic first: new handshakes once the bucket is half empty,
/// everything but established sessions below a quarter, and session packets only when it is
/// empty. While the shard is over its tick budget, new handshakes are also held to a small rate
/// (<see cref="OverBudgetHellosPerSecond"/>, a fifth of it when far over): players already in keep
/// their service, and the ones arriving still get in, more slowly. Owned by the shard thread;
/// time comes in.
/// </summary>
internal struct LoadGuard
{
    /// <summary>First hellos a shard over its tick budget still answers per second.</summary>
    public const int OverBudgetHellosPerSecond = 500;

    private static readonly RateLimit s_overBudgetHellos = RateLimit.Of(OverBudgetHellosPerSecond, OverBudgetHellosPerSecond / 10);
    private static readonly RateLimit s_farOverHellos = RateLimit.Of(OverBudgetHellosPerSecond / 5, OverBudgetHellosPerSecond / 50);

    private readonly RateLimit _limit;
    private TokenBucket _bucket;
    private TokenBucket _overloadHellos;

    /// <param name="packetsPerSecond">0 = unlimited. The burst is a tenth of a second of traffic: the guard reacts fast, and sheds in tiers.</param>
    public LoadGuard(int packetsPerSecond)
    {
        _limit = RateLimit.Of(packetsPerSecond, Math.Max(64, packetsPerSecond / 10));
        _bucket = TokenBucket.Full(_limit, 0);
    }

    /// <summary>Sheds a first hello while the shard is over its tick budget and the hellos' small allowance is spent.</summary>
    public bool ShedsHello(ReadOnlySpan<byte> datagram, OverloadLevel level, long nowUs) =>
        level != OverloadLevel.Normal && HandshakePackets.IsFirstHello(datagram)
        && !_overloadHellos.TryTake(level == OverloadLevel.FarOver ? s_farOverHellos : s_overBudgetHellos, nowUs);

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
