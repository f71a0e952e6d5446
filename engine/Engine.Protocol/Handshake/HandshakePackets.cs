using System.Buffers.Binary;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Handshake;

/// <summary>A parsed client hello: the first packet of a connection, sent again with the cookie.</summary>
public readonly ref struct Hello
{
    public Hello(ushort version, ulong nonce, ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> token = default)
    {
        Version = version;
        Nonce = nonce;
        Cookie = cookie;
        _token = token;
    }

    // The token fields of the hello (version, protocol id, expiry, nonce, sealed private part); empty when it has none.
    private readonly ReadOnlySpan<byte> _token;

    public ushort Version { get; }
    public ulong Nonce { get; }

    /// <summary>Empty on the first hello; the server's cookie on the second.</summary>
    public ReadOnlySpan<byte> Cookie { get; }

    public bool HasCookie => !Cookie.IsEmpty;

    /// <summary>0 when the hello carries no connect token (an insecure client).</summary>
    public byte TokenVersion => _token.IsEmpty ? (byte)0 : _token[0];
    public ulong ProtocolId => _token.IsEmpty ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(_token.Slice(1));
    public long TokenExpireUnixSeconds => _token.IsEmpty ? 0 : BinaryPrimitives.ReadInt64LittleEndian(_token.Slice(9));
    public ReadOnlySpan<byte> TokenNonce => _token.IsEmpty ? default : _token.Slice(17, SecurityConstants.NonceSize);

    /// <summary>The token's private part, encrypted and tagged under the key the backend shares with the server.</summary>
    public ReadOnlySpan<byte> SealedToken => _token.IsEmpty ? default : _token.Slice(17 + SecurityConstants.NonceSize, SecurityConstants.SealedPrivateTokenSize);
}

/// <summary>Readers and writers of the four handshake packets. Readers never throw; writers need room for the packet.</summary>
public static class HandshakePackets
{
    // Hello layout: type(1) magic(4) version(2) nonce(8) hasCookie(1) cookie(24), then the token:
    // token version(1, 0 = none) protocol id(8) expiry(8) nonce(12) sealed private part(176), zero padding to 256.
    public const int HelloCookieFlagOffset = 15;
    public const int HelloCookieOffset = 16;
    public const int HelloTokenOffset = 40;
    private const int HelloTokenSize = 1 + 8 + 8 + SecurityConstants.NonceSize + SecurityConstants.SealedPrivateTokenSize;

    /// <summary>
    /// A cheap look at an unparsed datagram: true when it is long enough to be a hello and says it
    /// carries no cookie (a first hello). The load guard sheds these first, before any parsing.
    /// </summary>
    public static bool IsFirstHello(ReadOnlySpan<byte> datagram) =>
        datagram.Length > HelloCookieFlagOffset && datagram[HelloCookieFlagOffset] == 0;

    /// <summary>Writes a hello; with a <paramref name="token"/> it carries the token's sealed private part (secure servers require one).</summary>
    public static int WriteHello(Span<byte> destination, ulong nonce, ReadOnlySpan<byte> cookie, ushort version = ProtocolConstants.Version, ConnectToken? token = null)
    {
        var packet = destination.Slice(0, ProtocolConstants.HelloSize);
        packet.Clear();
        packet[0] = (byte)PacketType.Hello;
        BinaryPrimitives.WriteUInt32LittleEndian(packet.Slice(1), ProtocolConstants.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(packet.Slice(5), version);
        BinaryPrimitives.WriteUInt64LittleEndian(packet.Slice(7), nonce);
        if (!cookie.IsEmpty)
        {
            packet[HelloCookieFlagOffset] = 1;
            cookie.Slice(0, ProtocolConstants.CookieSize).CopyTo(packet.Slice(HelloCookieOffset));
        }
        if (token is not null)
        {
            var fields = packet.Slice(HelloTokenOffset, HelloTokenSize);
            ConnectToken.WriteAssociatedData(fields, SecurityConstants.TokenVersion, token.ProtocolId, token.ExpireUnixSeconds);
            token.Nonce.CopyTo(fields.Slice(17));
            token.SealedPrivate.CopyTo(fields.Slice(17 + SecurityConstants.NonceSize));
        }
        return ProtocolConstants.HelloSize;
    }

    public static DropReason TryReadHello(ReadOnlySpan<byte> datagram, out Hello hello)
    {
        hello = default;
        if (datagram.Length != ProtocolConstants.HelloSize)
        {
            return DropReason.BadHelloSize;
        }
        if (datagram[0] != (byte)PacketType.Hello)
        {
            return (datagram[0] & ProtocolConstants.FlagsMask) != 0 ? DropReason.BadFlags : DropReason.UnknownType;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(datagram.Slice(1)) != ProtocolConstants.Magic)
        {
            return DropReason.BadMagic;
        }
        var flag = datagram[HelloCookieFlagOffset];
        if (flag > 1)
        {
            return DropReason.BadFlags;
        }
        var cookie = flag == 1 ? datagram.Slice(HelloCookieOffset, ProtocolConstants.CookieSize) : default;
        var token = datagram[HelloTokenOffset] != 0 ? datagram.Slice(HelloTokenOffset, HelloTokenSize) : default;
        hello = new Hello(
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(5)),
            BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(7)),
            cookie,
            token);
        return DropReason.None;
    }

    public static int WriteChallenge(Span<byte> destination, ulong nonce, ReadOnlySpan<byte> cookie)
    {
        var packet = destination.Slice(0, ProtocolConstants.ChallengeSize);
        packet[0] = (byte)PacketType.Challenge;
        BinaryPrimitives.WriteUInt64LittleEndian(packet.Slice(1), nonce);
        cookie.Slice(0, ProtocolConstants.CookieSize).CopyTo(packet.Slice(9));
        return packet.Length;
    }

    public static DropReason TryReadChallenge(ReadOnlySpan<byte> datagram, out ulong nonce, out ReadOnlySpan<byte> cookie)
    {
        nonce = 0;
        cookie = default;
        if (datagram.Length != ProtocolConstants.ChallengeSize)
        {
            return datagram.Length < ProtocolConstants.ChallengeSize ? DropReason.TooShort : DropReason.Oversized;
        }
        nonce = BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(1));
        cookie = datagram.Slice(9, ProtocolConstants.CookieSize);
        return DropReason.None;
    }

    public static int WriteWelcome(Span<byte> destination, in Welcome welcome)
    {
        var packet = destination.Slice(0, ProtocolConstants.WelcomeSize);
        packet[0] = (byte)PacketType.Welcome;
        BinaryPrimitives.WriteUInt64LittleEndian(packet.Slice(1), welcome.Nonce);
        BinaryPrimitives.WriteUInt64LittleEndian(packet.Slice(9), welcome.ConnectionId);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.Slice(17), welcome.TimeoutMs);
        BinaryPrimitives.WriteUInt16LittleEndian(packet.Slice(21), welcome.PingIntervalMs);
        BinaryPrimitives.WriteUInt16LittleEndian(packet.Slice(23), welcome.MaxPayload);
        return packet.Length;
    }

    /// <summary>Reads a welcome, plain (25 bytes) or sealed (41: the tag follows; <see cref="PacketProtection.VerifyWelcome"/> checks it).</summary>
    public static DropReason TryReadWelcome(ReadOnlySpan<byte> datagram, out Welcome welcome)
    {
        welcome = default;
        if (datagram.Length != ProtocolConstants.WelcomeSize && datagram.Length != ProtocolConstants.SealedWelcomeSize)
        {
            return datagram.Length < ProtocolConstants.WelcomeSize ? DropReason.TooShort : DropReason.Oversized;
        }
        welcome = new Welcome(
            BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(1)),
            BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(9)),
            BinaryPrimitives.ReadUInt32LittleEndian(datagram.Slice(17)),
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(21)),
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(23)));
        return DropReason.None;
    }

    public static int WriteReject(Span<byte> destination, ulong nonce, RejectReason reason)
    {
        var packet = destination.Slice(0, ProtocolConstants.RejectSize);
        packet[0] = (byte)PacketType.Reject;
        BinaryPrimitives.WriteUInt64LittleEndian(packet.Slice(1), nonce);
        packet[9] = (byte)reason;
        return packet.Length;
    }

    public static DropReason TryReadReject(ReadOnlySpan<byte> datagram, out ulong nonce, out RejectReason reason)
    {
        nonce = 0;
        reason = RejectReason.None;
        if (datagram.Length != ProtocolConstants.RejectSize)
        {
            return datagram.Length < ProtocolConstants.RejectSize ? DropReason.TooShort : DropReason.Oversized;
        }
        nonce = BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(1));
        reason = (RejectReason)datagram[9];
        return DropReason.None;
    }
}

/// <summary>The server's acceptance: the connection id and the session parameters the client must follow.</summary>
public readonly record struct Welcome(ulong Nonce, ulong ConnectionId, uint TimeoutMs, ushort PingIntervalMs, ushort MaxPayload);
