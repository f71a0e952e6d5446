using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The four handshake readers on the same bytes, and cookie verification of any hello that
/// carries one. Readers never throw; what they accept is written back to the same bytes (the
/// fields they read are canonical); a cookie verifies only if it is the one the server issues for
/// that address, nonce and issue time.
/// </summary>
internal sealed class HandshakeTarget : FuzzTarget
{
    public const long NowUs = 3_600_000_000;
    private static readonly byte[] s_secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] s_address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1, 0x1E, 0x61];

    private readonly HandshakeCookies _cookies = new(s_secret);
    private readonly byte[] _written = new byte[ProtocolConstants.HelloSize];

    public override string Name => "handshake";

    public override void Run(ReadOnlySpan<byte> data)
    {
        CheckHello(data);
        CheckChallenge(data);
        CheckWelcome(data);
        CheckReject(data);
    }

    private void CheckHello(ReadOnlySpan<byte> data)
    {
        var reason = HandshakePackets.TryReadHello(data, out var hello);
        if (reason != DropReason.None)
        {
            Check.That(reason is DropReason.BadHelloSize or DropReason.UnknownType or DropReason.BadFlags or DropReason.BadMagic, $"hello dropped as {reason}");
            Check.That(data.Length != ProtocolConstants.HelloSize || reason != DropReason.BadHelloSize, $"a {ProtocolConstants.HelloSize}-byte hello dropped for its size");
            return;
        }
        Check.Equal(ProtocolConstants.HelloSize, data.Length, "accepted hello size");
        Check.Equal(data[HandshakePackets.HelloCookieFlagOffset] == 1, hello.HasCookie, "cookie flag");
        Check.That(!hello.HasCookie || hello.Cookie.Length == ProtocolConstants.CookieSize, "cookie length");
        HandshakePackets.WriteHello(_written, hello.Nonce, hello.Cookie, hello.Version);
        var meaningful = hello.HasCookie ? 16 + ProtocolConstants.CookieSize : 16;
        Check.Bytes(data.Slice(0, meaningful), _written.AsSpan(0, meaningful), "hello written back");

        if (hello.HasCookie)
        {
            var verdict = _cookies.Verify(s_address, hello.Nonce, hello.Cookie, NowUs);
            Check.That(verdict is DropReason.None or DropReason.BadCookie or DropReason.ExpiredCookie, $"cookie verdict {verdict}");
            if (verdict == DropReason.None)
            {
                // Only the genuine cookie for this address, nonce and issue time may pass.
                var issuedUs = BitConverter.ToInt64(hello.Cookie);
                Span<byte> genuine = stackalloc byte[ProtocolConstants.CookieSize];
                new HandshakeCookies(s_secret).Issue(s_address, hello.Nonce, issuedUs, genuine);
                Check.Bytes(genuine, hello.Cookie, "accepted cookie");
                Check.That(issuedUs <= NowUs && NowUs - issuedUs <= 10_000_000, $"cookie issued at {issuedUs} accepted at {NowUs}");
            }
        }
    }

    private void CheckChallenge(ReadOnlySpan<byte> data)
    {
        if (HandshakePackets.TryReadChallenge(data, out var nonce, out var cookie) != DropReason.None)
        {
            Check.That(data.Length != ProtocolConstants.ChallengeSize, "a 33-byte challenge dropped");
            return;
        }
        var length = HandshakePackets.WriteChallenge(_written, nonce, cookie);
        Check.Bytes(data.Slice(1), _written.AsSpan(1, length - 1), "challenge written back");
    }

    private void CheckWelcome(ReadOnlySpan<byte> data)
    {
        if (HandshakePackets.TryReadWelcome(data, out var welcome) != DropReason.None)
        {
            Check.That(data.Length is not (ProtocolConstants.WelcomeSize or ProtocolConstants.SealedWelcomeSize), "a 25- or 41-byte welcome dropped");
            return;
        }
        // A sealed welcome is the same 25 bytes and a tag the reader leaves to PacketProtection.
        var length = HandshakePackets.WriteWelcome(_written, welcome);
        Check.Bytes(data.Slice(1, length - 1), _written.AsSpan(1, length - 1), "welcome written back");
    }

    private void CheckReject(ReadOnlySpan<byte> data)
    {
        if (HandshakePackets.TryReadReject(data, out var nonce, out var reason) != DropReason.None)
        {
            Check.That(data.Length != ProtocolConstants.RejectSize, "a 10-byte reject dropped");
            return;
        }
        var length = HandshakePackets.WriteReject(_written, nonce, reason);
        Check.Bytes(data.Slice(1), _written.AsSpan(1, length - 1), "reject written back");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        const ulong nonce = 0x1122334455667788;
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, nonce, default);
        yield return ("hello", hello);

        var cookie = new byte[ProtocolConstants.CookieSize];
        new HandshakeCookies(s_secret).Issue(s_address, nonce, NowUs - 1_000_000, cookie);
        var helloWithCookie = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(helloWithCookie, nonce, cookie);
        yield return ("hello-valid-cookie", helloWithCookie);

        var challenge = new byte[ProtocolConstants.ChallengeSize];
        HandshakePackets.WriteChallenge(challenge, nonce, cookie);
        yield return ("challenge", challenge);

        var welcome = new byte[ProtocolConstants.WelcomeSize];
        HandshakePackets.WriteWelcome(welcome, new Welcome(nonce, 0x8F3A2C51D7E40B01, 5000, 1000, 1200));
        yield return ("welcome", welcome);

        var reject = new byte[ProtocolConstants.RejectSize];
        HandshakePackets.WriteReject(reject, nonce, RejectReason.ServerFull);
        yield return ("reject", reject);
    }
}
