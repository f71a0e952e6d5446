using System.Buffers.Binary;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;

namespace Engine.LoadTest.Attack;

/// <summary>
/// Builds hostile datagrams as raw bytes, following docs/PROTOCOL.md where a kind needs to look real
/// (hellos, session headers) and nothing else: no session state, no keys. Sealed session packets
/// simply fail authentication at the server, which is what a forger without the keys gets.
/// </summary>
internal static class AttackPackets
{
    /// <summary>The largest oversized datagram: "a few KB", well past any configurable payload.</summary>
    public const int MaxOversized = 4096;

    private const byte HelloType = 0x01;
    private const byte SessionType = 0x10;
    private const byte AckFlag = 0x20;

    /// <summary>Random length (1 to <paramref name="maxPayload"/>) and bytes; half start with a real type byte so the server parses further.</summary>
    public static int Garbage(Span<byte> destination, ref AttackRandom rng, int maxPayload)
    {
        var length = 1 + rng.Next(maxPayload);
        rng.Fill(destination[..length]);
        switch (rng.Next(8))
        {
            case 0:
                destination[0] = HelloType; // wrong size or magic
                break;
            case 1 or 2:
                destination[0] = SessionType; // unknown session, or a malformed one
                break;
            case 3:
                destination[0] = SessionType | AckFlag;
                break;
        }
        return length;
    }

    /// <summary>Above the largest payload the server accepts (<paramref name="maxPayload"/>), up to <see cref="MaxOversized"/>.</summary>
    public static int Oversized(Span<byte> destination, ref AttackRandom rng, int maxPayload)
    {
        var length = maxPayload + 1 + rng.Next(MaxOversized - maxPayload);
        rng.Fill(destination[..length]);
        destination[0] = SessionType | AckFlag;
        return length;
    }

    /// <summary>A well-formed hello (protocol v1 layout, padded to the hello size) with no cookie, or with <paramref name="cookie"/>.</summary>
    public static int Hello(Span<byte> destination, ulong nonce, ReadOnlySpan<byte> cookie)
    {
        var hello = destination[..ProtocolConstants.HelloSize];
        hello.Clear();
        hello[0] = HelloType;
        BinaryPrimitives.WriteUInt32LittleEndian(hello[1..], ProtocolConstants.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(hello[5..], ProtocolConstants.Version);
        BinaryPrimitives.WriteUInt64LittleEndian(hello[7..], nonce);
        if (!cookie.IsEmpty)
        {
            hello[HandshakePackets.HelloCookieFlagOffset] = 1;
            cookie[..ProtocolConstants.CookieSize].CopyTo(hello[16..]);
        }
        return hello.Length;
    }

    /// <summary>
    /// A hello whose cookie is made up: mostly a fresh issue time (so the server has to compute and
    /// compare the MAC), sometimes a random one (expired or from the future).
    /// </summary>
    public static int BadCookieHello(Span<byte> destination, ref AttackRandom rng, long nowUs)
    {
        Span<byte> cookie = stackalloc byte[ProtocolConstants.CookieSize];
        rng.Fill(cookie);
        if (rng.Next(4) != 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(cookie, nowUs - rng.Next(2_000_000));
        }
        return Hello(destination, rng.NextUInt64(), cookie);
    }

    /// <summary>
    /// A session packet for <paramref name="connectionId"/>: a plausible header, then messages a real
    /// peer could send (ping, disconnect, input, reliable) or random bytes.
    /// </summary>
    public static int ForgedSession(Span<byte> destination, ref AttackRandom rng, ulong connectionId)
    {
        destination[0] = (byte)(SessionType | (rng.Next(2) == 0 ? AckFlag : 0));
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], connectionId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[9..], (ushort)rng.Next(65536));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[11..], (ushort)rng.Next(65536));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[13..], (uint)rng.NextUInt64());
        var at = ProtocolConstants.SessionHeaderSize;
        switch (rng.Next(5))
        {
            case 0: // ping
                destination[at++] = (byte)MessageKind.Ping;
                destination[at++] = 8;
                rng.Fill(destination.Slice(at, 8));
                at += 8;
                break;
            case 1: // disconnect: the forgery that would hurt most if it were accepted
                destination[at++] = (byte)MessageKind.Disconnect;
                destination[at++] = 1;
                destination[at++] = 1;
                break;
            case 2: // an input message with random content
            {
                var n = 4 + rng.Next(60);
                destination[at++] = (byte)MessageKind.Input;
                destination[at++] = (byte)n;
                rng.Fill(destination.Slice(at, n));
                at += n;
                break;
            }
            case 3: // a reliable unit (a room request as far as the id goes)
            {
                var n = 2 + rng.Next(40);
                destination[at++] = (byte)MessageKind.Reliable;
                destination[at++] = (byte)n;
                rng.Fill(destination.Slice(at, n));
                at += n;
                break;
            }
            default:
            {
                var n = 1 + rng.Next(200);
                rng.Fill(destination.Slice(at, n));
                at += n;
                break;
            }
        }
        return at;
    }

    /// <summary>A guessed connection id: random, with a small first byte so the kernel steers it to a real shard.</summary>
    public static ulong GuessedConnectionId(ref AttackRandom rng) => (rng.NextUInt64() & ~0xFFUL) | (uint)rng.Next(4);

    /// <summary>The connection id of a captured session packet, or 0 when it is not one.</summary>
    public static ulong ConnectionIdOf(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= ProtocolConstants.SessionHeaderSize && (datagram[0] & ProtocolConstants.TypeMask) == SessionType
            ? BinaryPrimitives.ReadUInt64LittleEndian(datagram[ProtocolConstants.ConnectionIdOffset..])
            : 0;
}
