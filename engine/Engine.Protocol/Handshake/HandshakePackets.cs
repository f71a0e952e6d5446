using System.Buffers.Binary;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Handshake;

/// <summary>A parsed client hello: the first packet of a connection, sent again with the cookie.</summary>
public readonly ref struct Hello
{
    public Hello(ushort version, ulong nonce, ReadOnlySpan<byte> cookie)
    {
        Version = version;
        Nonce = nonce;
        Cookie = cookie;
    }

    public ushort Version { get; }
    public ulong Nonce { get; }

    /// <summary>Empty on the first hello; the server's cookie on the second.</summary>
    public ReadOnlySpan<byte> Cookie { get; }

    public bool HasCookie => !Cookie.IsEmpty;
}

/// <summary>Readers and writers of the four handshake packets. Readers never throw; writers need room for the packet.</summary>
public static class HandshakePackets
{
    // Hello layout: type(1) magic(4) version(2) nonce(8) hasCookie(1) cookie(24) zero padding to 128.
    private const int HelloCookieFlagOffset = 15;
    private const int HelloCookieOffset = 16;

    public static int WriteHello(Span<byte> destination, ulong nonce, ReadOnlySpan<byte> cookie, ushort version = ProtocolConstants.Version)
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
        hello = new Hello(
            BinaryPrimitives.ReadUInt16LittleEndian(datagram.Slice(5)),
            BinaryPrimitives.ReadUInt64LittleEndian(datagram.Slice(7)),
            cookie);
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

    public static DropReason TryReadWelcome(ReadOnlySpan<byte> datagram, out Welcome welcome)
    {
        welcome = default;
        if (datagram.Length != ProtocolConstants.WelcomeSize)
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
