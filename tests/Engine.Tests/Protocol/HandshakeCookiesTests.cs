using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol;

public class HandshakeCookiesTests
{
    private static readonly byte[] s_secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] s_address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1, 0x1E, 0x61];
    private static readonly byte[] s_otherAddress = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 2, 0x1E, 0x61];
    private const long Start = 123_456_789_000;

    [Fact]
    public void A_cookie_verifies_for_the_address_and_nonce_it_was_issued_to()
    {
        var cookies = new HandshakeCookies(s_secret);
        var cookie = new byte[ProtocolConstants.CookieSize];
        cookies.Issue(s_address, 5, Start, cookie);
        Assert.Equal(DropReason.None, cookies.Verify(s_address, 5, cookie, Start + 1000));
        Assert.Equal(DropReason.BadCookie, cookies.Verify(s_otherAddress, 5, cookie, Start + 1000));
        Assert.Equal(DropReason.BadCookie, cookies.Verify(s_address, 6, cookie, Start + 1000));
        cookie[^1] ^= 1;
        Assert.Equal(DropReason.BadCookie, cookies.Verify(s_address, 5, cookie, Start + 1000));
    }

    [Fact]
    public void Another_instance_with_the_same_secret_accepts_it_and_another_secret_does_not()
    {
        var cookie = new byte[ProtocolConstants.CookieSize];
        new HandshakeCookies(s_secret).Issue(s_address, 5, Start, cookie);
        Assert.Equal(DropReason.None, new HandshakeCookies(s_secret).Verify(s_address, 5, cookie, Start + 10));
        Assert.Equal(DropReason.BadCookie, new HandshakeCookies(HandshakeCookies.NewSecret()).Verify(s_address, 5, cookie, Start + 10));
    }

    [Fact]
    public void Cookies_expire_and_future_ones_are_refused()
    {
        var cookies = new HandshakeCookies(s_secret, lifetimeUs: 10_000_000);
        var cookie = new byte[ProtocolConstants.CookieSize];
        cookies.Issue(s_address, 5, Start, cookie);
        Assert.Equal(DropReason.None, cookies.Verify(s_address, 5, cookie, Start + 9_999_999));
        Assert.Equal(DropReason.ExpiredCookie, cookies.Verify(s_address, 5, cookie, Start + 10_000_001));
        Assert.Equal(DropReason.ExpiredCookie, cookies.Verify(s_address, 5, cookie, Start - 1));
    }

    [Fact]
    public void A_cookie_issued_just_before_a_key_rotation_still_verifies_after_it()
    {
        var cookies = new HandshakeCookies(s_secret);
        var justBefore = (HandshakeCookies.KeyEpochUs * 1000) - 1;
        var cookie = new byte[ProtocolConstants.CookieSize];
        cookies.Issue(s_address, 5, justBefore, cookie);
        Assert.Equal(DropReason.None, cookies.Verify(s_address, 5, cookie, justBefore + 2_000_000));
    }

    [Fact]
    public void Issue_and_verify_allocate_nothing()
    {
        var cookies = new HandshakeCookies(s_secret);
        var cookie = new byte[ProtocolConstants.CookieSize];
        for (var i = 0; i < 100; i++)
        {
            cookies.Issue(s_address, (ulong)i, Start + i, cookie);
            cookies.Verify(s_address, (ulong)i, cookie, Start + i);
        }
        var failures = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            cookies.Issue(s_address, (ulong)i, Start + i, cookie);
            failures += cookies.Verify(s_address, (ulong)i, cookie, Start + i + 1) == DropReason.None ? 0 : 1;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }
}

public class SipHash128Tests
{
    // vectors_sip128 of the SipHash reference implementation: key 00..0f, message 00..(n-1).
    [Theory]
    [InlineData(0, "a3817f04ba25a8e66df67214c7550293")]
    [InlineData(1, "da87c1d86b99af44347659119b22fc45")]
    [InlineData(2, "8177228da4a45dc7fca38bdef60affe4")]
    [InlineData(7, "a1f1ebbed8dbc153c0b84aa61ff08239")]
    [InlineData(8, "3b62a9ba6258f5610f83e264f31497b4")]
    [InlineData(9, "264499060ad9baabc47f8b02bb6d71ed")]
    public void Matches_the_reference_vectors(int length, string expectedHex)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        var tag = new byte[16];
        SipHash128.Compute(key, message, tag);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(tag));
    }
}
