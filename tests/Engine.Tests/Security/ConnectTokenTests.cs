using System.Net;
using System.Security.Cryptography;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>Connect tokens without a network: issue, encode, read back, open, and every way to spoil one.</summary>
public class ConnectTokenTests
{
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
    private static readonly IPEndPoint s_server = new(IPAddress.Parse("203.0.113.7"), 7777);
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static long NowUnix => s_now.ToUnixTimeSeconds();

    private static ConnectToken Issue(ulong playerId = 42, ulong protocolId = 0, params IPEndPoint[] servers) =>
        ConnectToken.Issue(s_key, playerId, servers.Length == 0 ? [s_server] : servers, TimeSpan.FromSeconds(30), protocolId, now: s_now);

    /// <summary>What a server does with the token fields of a hello.</summary>
    private static DropReason Open(ConnectToken token, byte[] hello, out ulong playerId, byte[]? key = null, long? nowUnix = null, ulong protocolId = 0)
    {
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(hello, out var parsed));
        using var opener = new ConnectTokenOpener(key ?? s_key, protocolId);
        var plain = new byte[SecurityConstants.PrivateTokenSize];
        var reason = opener.TryOpen(parsed.TokenVersion, parsed.ProtocolId, parsed.TokenExpireUnixSeconds, parsed.TokenNonce, parsed.SealedToken,
            nowUnix ?? NowUnix, plain, out var opened);
        playerId = reason == DropReason.None ? opened.PlayerId : 0;
        if (reason == DropReason.None)
        {
            // The private part repeats what the client was given.
            Assert.Equal(token.ClientToServerKey.ToArray(), opened.ClientToServerKey.ToArray());
            Assert.Equal(token.ServerToClientKey.ToArray(), opened.ServerToClientKey.ToArray());
            Assert.Equal(token.ExpireUnixSeconds, opened.ExpireUnixSeconds);
            Assert.Equal(token.ServerAddresses.Count, opened.AddressCount);
        }
        return reason;
    }

    private static byte[] Hello(ConnectToken token)
    {
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, 5, default, token: token);
        return hello;
    }

    [Fact]
    public void A_token_round_trips_through_its_binary_and_base64_forms_and_opens_on_the_server()
    {
        var v6 = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 9000);
        var token = Issue(playerId: 123456789012, protocolId: 99, s_server, v6);
        Assert.Equal(s_now.ToUnixTimeSeconds(), token.CreateUnixSeconds);
        Assert.Equal(s_now.ToUnixTimeSeconds() + 30, token.ExpireUnixSeconds);
        Assert.NotEqual(token.ClientToServerKey.ToArray(), token.ServerToClientKey.ToArray());

        Assert.True(ConnectToken.TryParse(token.ToBase64(), out var text));
        Assert.True(ConnectToken.TryRead(token.ToBytes(), out var binary));
        foreach (var copy in new[] { text!, binary! })
        {
            Assert.Equal(token.ToBytes(), copy.ToBytes());
            Assert.Equal(123456789012UL, copy.PlayerId);
            Assert.Equal(99UL, copy.ProtocolId);
            Assert.Equal([s_server, v6], copy.ServerAddresses);
            Assert.Equal(token.ClientToServerKey.ToArray(), copy.ClientToServerKey.ToArray());
        }
        Assert.Equal(DropReason.None, Open(text!, Hello(text!), out var player, protocolId: 99));
        Assert.Equal(123456789012UL, player);
    }

    [Fact]
    public void Two_tokens_for_the_same_player_share_no_key_nonce_or_sealed_bytes()
    {
        var a = Issue();
        var b = Issue();
        Assert.NotEqual(a.ClientToServerKey.ToArray(), b.ClientToServerKey.ToArray());
        Assert.NotEqual(a.Nonce.ToArray(), b.Nonce.ToArray());
        Assert.NotEqual(a.SealedPrivate.ToArray(), b.SealedPrivate.ToArray());
    }

    [Fact]
    public void Malformed_token_text_and_bytes_are_refused_without_throwing()
    {
        var bytes = Issue().ToBytes();
        Assert.False(ConnectToken.TryParse("not base64!", out _));
        Assert.False(ConnectToken.TryParse("", out _));
        Assert.False(ConnectToken.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _));
        var wrongMagic = (byte[])bytes.Clone();
        wrongMagic[0] ^= 1;
        Assert.False(ConnectToken.TryRead(wrongMagic, out _));
        var noAddress = (byte[])bytes.Clone();
        noAddress[ConnectToken.Size - (2 * SecurityConstants.KeySize) - (SecurityConstants.MaxServerAddresses * SecurityConstants.AddressSize) - 1] = 0;
        Assert.False(ConnectToken.TryRead(noAddress, out _));
        Assert.Throws<FormatException>(() => ConnectToken.Parse("AAAA"));
    }

    [Fact]
    public void A_tampered_sealed_part_or_altered_public_expiry_does_not_open()
    {
        var token = Issue();
        for (var offset = 69; offset < 69 + SecurityConstants.SealedPrivateTokenSize; offset += 7)
        {
            var hello = Hello(token);
            hello[offset] ^= 0x40;
            Assert.Equal(DropReason.InvalidToken, Open(token, hello, out _));
        }
        // Expiry and protocol id are associated data: pushing the expiry later breaks the seal.
        var later = Hello(token);
        later[49] += 1;
        Assert.Equal(DropReason.InvalidToken, Open(token, later, out _));
        var nonce = Hello(token);
        nonce[57] ^= 1;
        Assert.Equal(DropReason.InvalidToken, Open(token, nonce, out _));
    }

    [Fact]
    public void A_token_sealed_with_another_key_or_for_another_game_is_invalid()
    {
        var token = Issue();
        Assert.Equal(DropReason.InvalidToken, Open(token, Hello(token), out _, key: RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(DropReason.InvalidToken, Open(token, Hello(token), out _, protocolId: 1));
    }

    [Fact]
    public void An_expired_token_is_refused_before_any_decryption()
    {
        var token = Issue();
        Assert.Equal(DropReason.None, Open(token, Hello(token), out _, nowUnix: token.ExpireUnixSeconds - 1));
        Assert.Equal(DropReason.ExpiredToken, Open(token, Hello(token), out _, nowUnix: token.ExpireUnixSeconds));
        // Even with a key that would not open it: the expiry is checked first.
        Assert.Equal(DropReason.ExpiredToken, Open(token, Hello(token), out _, key: new byte[32], nowUnix: token.ExpireUnixSeconds + 60));
    }

    [Fact]
    public void A_server_accepts_only_tokens_that_list_its_address_or_its_port_when_it_listens_on_every_address()
    {
        var token = Issue(42, 0, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 7000), s_server);
        var plain = new byte[SecurityConstants.PrivateTokenSize];
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(Hello(token), out var hello));
        using var opener = new ConnectTokenOpener(s_key, 0);
        Assert.Equal(DropReason.None, opener.TryOpen(hello.TokenVersion, hello.ProtocolId, hello.TokenExpireUnixSeconds, hello.TokenNonce, hello.SealedToken, NowUnix, plain, out var opened));

        Assert.True(opened.Lists(ServerIdentity.For(s_server)));
        Assert.True(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.Parse("::ffff:203.0.113.7"), 7777))));
        Assert.True(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.Any, 7000))));
        Assert.True(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.IPv6Any, 7777))));
        Assert.False(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.Parse("203.0.113.8"), 7777))));
        Assert.False(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 7778))));
        Assert.False(opened.Lists(ServerIdentity.For(new IPEndPoint(IPAddress.Any, 7001))));
    }

    [Fact]
    public void Issue_refuses_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => ConnectToken.Issue(new byte[16], 1, [s_server], TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => ConnectToken.Issue(s_key, 1, [], TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => ConnectToken.Issue(s_key, 1, Enumerable.Repeat(s_server, 5).ToArray(), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ConnectToken.Issue(s_key, 1, [s_server], TimeSpan.Zero));
    }
}
