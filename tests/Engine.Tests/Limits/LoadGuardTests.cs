using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;
using Engine.Server.Limits;
using Engine.Server.Overload;
using Xunit;

namespace Engine.Tests.Limits;

/// <summary>The shard's load guard sheds in tiers: first hellos, then everything but sessions, then sessions.</summary>
public class LoadGuardTests
{
    private static readonly byte[] s_session = [(byte)PacketType.Session, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] s_firstHello = Hello(cookie: false);
    private static readonly byte[] s_secondHello = Hello(cookie: true);

    private static byte[] Hello(bool cookie)
    {
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, nonce: 7, cookie: cookie ? new byte[ProtocolConstants.CookieSize] : default);
        return hello;
    }

    [Fact]
    public void Unlimited_takes_everything()
    {
        var guard = new LoadGuard(0);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(guard.TryAdmit(PacketType.Hello, s_firstHello, 0));
        }
    }

    [Fact]
    public void Over_its_rate_the_guard_sheds_first_hellos_then_second_hellos_and_session_packets_last()
    {
        // 1000/s: a burst of 100 tokens. Spend them with session packets and watch what each level still takes.
        var guard = new LoadGuard(1000);
        var firstHellosTaken = 0;
        var secondHellosTaken = 0;
        var sessionsTaken = 0;
        for (var i = 0; i < 200; i++)
        {
            firstHellosTaken += guard.TryAdmit(PacketType.Hello, s_firstHello, 0) ? 1 : 0;
            secondHellosTaken += guard.TryAdmit(PacketType.Hello, s_secondHello, 0) ? 1 : 0;
            sessionsTaken += guard.TryAdmit(PacketType.Session, s_session, 0) ? 1 : 0;
        }
        // First hellos stop at half the bucket, other handshakes at a quarter, sessions only when it is empty.
        Assert.InRange(firstHellosTaken, 15, 20);
        Assert.True(secondHellosTaken > firstHellosTaken, $"{secondHellosTaken} second hellos, {firstHellosTaken} first");
        Assert.True(sessionsTaken > secondHellosTaken, $"{sessionsTaken} session packets, {secondHellosTaken} second hellos");
        Assert.Equal(100, firstHellosTaken + secondHellosTaken + sessionsTaken);
        Assert.False(guard.TryAdmit(PacketType.Session, s_session, 0));

        // Time refills it: a second later a first hello is welcome again.
        Assert.True(guard.TryAdmit(PacketType.Hello, s_firstHello, 1_000_000));
    }

    [Fact]
    public void Over_its_tick_budget_a_shard_answers_only_a_few_first_hellos_a_second()
    {
        var guard = new LoadGuard(0);
        var now = 1_000_000_000L;
        Assert.False(guard.ShedsHello(s_firstHello, OverloadLevel.Normal, now));
        Assert.False(guard.ShedsHello(s_secondHello, OverloadLevel.FarOver, now)); // a client with a cookie is half-way in: not shed

        // Over budget: a second of first hellos, 10,000 of them, gets the allowance through and no more.
        var answered = 0;
        for (var i = 0; i < 10_000; i++)
        {
            answered += guard.ShedsHello(s_firstHello, OverloadLevel.OverBudget, now + (i * 100)) ? 0 : 1;
        }
        Assert.InRange(answered, LoadGuard.OverBudgetHellosPerSecond, LoadGuard.OverBudgetHellosPerSecond * 11 / 10 + 20);

        // Far over: a fifth of that.
        now += 10_000_000;
        answered = 0;
        for (var i = 0; i < 10_000; i++)
        {
            answered += guard.ShedsHello(s_firstHello, OverloadLevel.FarOver, now + (i * 100)) ? 0 : 1;
        }
        Assert.InRange(answered, LoadGuard.OverBudgetHellosPerSecond / 5, (LoadGuard.OverBudgetHellosPerSecond / 5) + 10);
    }
}
