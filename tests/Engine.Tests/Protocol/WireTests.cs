using System.Net;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol;

public class WireTests
{
    [Fact]
    public void Session_header_round_trips_little_endian()
    {
        var header = new SessionHeader(0x1122334455667701, 0xBEEF, 0x0102, 0xA0B0C0D0, HasAck: true);
        var buffer = new byte[ProtocolConstants.SessionHeaderSize];
        Assert.Equal(17, header.Write(buffer));
        Assert.Equal(0x30, buffer[0]);
        Assert.Equal(0x01, buffer[1]); // the shard byte comes first
        Assert.Equal(1, SessionHeader.ShardOf(header.ConnectionId));
        Assert.Equal(DropReason.None, SessionHeader.TryRead(buffer, out var read));
        Assert.Equal(header, read);
    }

    [Theory]
    [InlineData(new byte[] { 0x10 }, DropReason.TooShort)]
    [InlineData(new byte[] { 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, DropReason.UnknownType)]
    [InlineData(new byte[] { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, DropReason.BadFlags)]
    public void Session_header_rejects_bad_input(byte[] datagram, DropReason expected)
    {
        Assert.Equal(expected, SessionHeader.TryRead(datagram, out _));
    }

    [Fact]
    public void Hello_is_padded_and_round_trips_with_and_without_cookie()
    {
        var buffer = new byte[ProtocolConstants.HelloSize];
        Assert.Equal(256, HandshakePackets.WriteHello(buffer, 42, default));
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(buffer, out var hello));
        Assert.Equal(42UL, hello.Nonce);
        Assert.Equal(ProtocolConstants.Version, hello.Version);
        Assert.False(hello.HasCookie);

        var cookie = Enumerable.Range(1, ProtocolConstants.CookieSize).Select(i => (byte)i).ToArray();
        HandshakePackets.WriteHello(buffer, 43, cookie);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(buffer, out hello));
        Assert.True(hello.HasCookie);
        Assert.Equal(cookie, hello.Cookie.ToArray());
        Assert.Equal(0, hello.TokenVersion);
    }

    [Fact]
    public void Hello_carries_the_token_fields_and_every_handshake_reply_is_smaller()
    {
        var token = ConnectToken.Issue(new byte[32], 9, [new IPEndPoint(IPAddress.Loopback, 7777)], TimeSpan.FromSeconds(30), protocolId: 77);
        var buffer = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(buffer, 44, default, token: token);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(buffer, out var hello));
        Assert.Equal(SecurityConstants.TokenVersion, hello.TokenVersion);
        Assert.Equal(77UL, hello.ProtocolId);
        Assert.Equal(token.ExpireUnixSeconds, hello.TokenExpireUnixSeconds);
        Assert.Equal(token.Nonce.ToArray(), hello.TokenNonce.ToArray());
        Assert.Equal(token.SealedPrivate.ToArray(), hello.SealedToken.ToArray());
        Assert.True(ProtocolConstants.SealedWelcomeSize < ProtocolConstants.HelloSize);
        // The token fields end before the hello does; the rest is zero padding.
        Assert.All(buffer.AsSpan(40 + 1 + 8 + 8 + SecurityConstants.NonceSize + SecurityConstants.SealedPrivateTokenSize).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Replies_are_never_larger_than_a_hello()
    {
        Assert.True(ProtocolConstants.ChallengeSize <= ProtocolConstants.HelloSize);
        Assert.True(ProtocolConstants.WelcomeSize <= ProtocolConstants.HelloSize);
        Assert.True(ProtocolConstants.RejectSize <= ProtocolConstants.HelloSize);
    }

    [Fact]
    public void Hello_of_wrong_size_or_magic_is_dropped()
    {
        var buffer = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(buffer, 1, default);
        Assert.Equal(DropReason.BadHelloSize, HandshakePackets.TryReadHello(buffer.AsSpan(0, ProtocolConstants.HelloSize - 1), out _));
        buffer[2] ^= 0xFF;
        Assert.Equal(DropReason.BadMagic, HandshakePackets.TryReadHello(buffer, out _));
    }

    [Fact]
    public void Welcome_challenge_and_reject_round_trip()
    {
        var buffer = new byte[64];
        var welcome = new Welcome(7, 0xABCDEF01, 5000, 1000, 1200);
        var length = HandshakePackets.WriteWelcome(buffer, welcome);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadWelcome(buffer.AsSpan(0, length), out var read));
        Assert.Equal(welcome, read);

        var cookie = new byte[ProtocolConstants.CookieSize];
        cookie[5] = 9;
        length = HandshakePackets.WriteChallenge(buffer, 8, cookie);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadChallenge(buffer.AsSpan(0, length), out var nonce, out var readCookie));
        Assert.Equal(8UL, nonce);
        Assert.Equal(cookie, readCookie.ToArray());

        length = HandshakePackets.WriteReject(buffer, 9, RejectReason.ServerFull);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadReject(buffer.AsSpan(0, length), out nonce, out var reason));
        Assert.Equal((9UL, RejectReason.ServerFull), (nonce, reason));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(127u)]
    [InlineData(128u)]
    [InlineData(16383u)]
    [InlineData(16384u)]
    [InlineData(uint.MaxValue)]
    public void Varint_round_trips(uint value)
    {
        var buffer = new byte[Varint.MaxLength32];
        var written = Varint.Write(buffer, value);
        Assert.Equal(Varint.SizeOf(value), written);
        Assert.True(Varint.TryRead(buffer.AsSpan(0, written), out var read, out var consumed));
        Assert.Equal((value, written), (read, consumed));
        Assert.False(Varint.TryRead(buffer.AsSpan(0, written - 1), out _, out _));
    }

    [Fact]
    public void Zigzag_round_trips()
    {
        foreach (var value in new[] { 0, 1, -1, 63, -64, int.MaxValue, int.MinValue })
        {
            Assert.Equal(value, Varint.UnZigZag(Varint.ZigZag(value)));
        }
        Assert.Equal(1u, Varint.ZigZag(-1));
    }

    [Fact]
    public void Drop_reasons_have_snake_case_names()
    {
        Assert.Equal("too_short", DropReasons.Name(DropReason.TooShort));
        Assert.Equal("bad_cookie", DropReasons.Name(DropReason.BadCookie));
    }

    [Fact]
    public void Client_routing_reads_the_connection_id_or_the_hello_nonce()
    {
        var buffer = new byte[64];
        var length = new SessionHeader(0xABCDEF0102030405, 1, 0, 0, false).Write(buffer);
        Assert.Equal(RouteKey.ConnectionId, ClientRouting.Read(buffer.AsSpan(0, length), out var key));
        Assert.Equal(0xABCDEF0102030405UL, key);

        length = HandshakePackets.WriteChallenge(buffer, 77, new byte[ProtocolConstants.CookieSize]);
        Assert.Equal((RouteKey.Nonce, 77UL), (ClientRouting.Read(buffer.AsSpan(0, length), out key), key));
        length = HandshakePackets.WriteWelcome(buffer, new Welcome(78, 5, 5000, 1000, 1200));
        Assert.Equal((RouteKey.Nonce, 78UL), (ClientRouting.Read(buffer.AsSpan(0, length), out key), key));
        length = HandshakePackets.WriteReject(buffer, 79, RejectReason.ServerFull);
        Assert.Equal((RouteKey.Nonce, 79UL), (ClientRouting.Read(buffer.AsSpan(0, length), out key), key));

        Assert.Equal(RouteKey.None, ClientRouting.Read(buffer.AsSpan(0, 3), out _));
        buffer[0] = 0x07;
        Assert.Equal(RouteKey.None, ClientRouting.Read(buffer.AsSpan(0, 20), out _));
    }
}
