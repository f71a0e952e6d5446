using System.Net;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// Connect tokens: the client's reader of the binary form, and the server's opening of the token a
/// hello carries (under a fixed key). Readers never throw; an accepted token written back reads back
/// the same; a token that opens is structurally valid and stops opening when any bit of its nonce,
/// sealed part or associated data changes (nothing but the key's holder can make one).
/// </summary>
internal sealed class TokenTarget : FuzzTarget
{
    public const long NowUnix = 1_800_000_000;
    private static readonly byte[] s_key = [.. Enumerable.Range(1, SecurityConstants.KeySize).Select(i => (byte)(i * 7))];
    private static readonly IPEndPoint s_server = new(IPAddress.Loopback, 7777);

    private readonly ConnectTokenOpener _opener = new(s_key, 0);
    private readonly byte[] _plain = new byte[SecurityConstants.PrivateTokenSize];
    private readonly byte[] _hello = new byte[ProtocolConstants.HelloSize];

    public override string Name => "token";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (ConnectToken.TryRead(data, out var token))
        {
            var written = token!.ToBytes();
            Check.That(ConnectToken.TryRead(written, out var again), "a token written back does not read");
            Check.Bytes(written, again!.ToBytes(), "token written back twice");
            Check.That(token.ServerAddresses.Count is > 0 and <= SecurityConstants.MaxServerAddresses, "address count");
        }
        if (HandshakePackets.TryReadHello(data, out var hello) != DropReason.None || hello.TokenVersion == 0)
        {
            return;
        }
        var reason = Open(hello);
        Check.That(reason is DropReason.None or DropReason.InvalidToken or DropReason.ExpiredToken, $"token verdict {reason}");
        if (reason != DropReason.None)
        {
            return;
        }
        Check.That(PrivateToken.TryRead(_plain, out var opened), "an opened token does not read");
        Check.Equal(hello.TokenExpireUnixSeconds, opened.ExpireUnixSeconds, "expiry repeated in the sealed part");
        // Any single flipped bit of what the seal covers must make it fail.
        data.CopyTo(_hello);
        var bit = (int)(hello.Nonce % (ulong)((ProtocolConstants.HelloSize - 41) * 8));
        _hello[41 + (bit / 8)] ^= (byte)(1 << (bit % 8));
        if (bit / 8 < 1 + 8 + 8 + SecurityConstants.NonceSize + SecurityConstants.SealedPrivateTokenSize - 1)
        {
            Check.That(HandshakePackets.TryReadHello(_hello, out var altered) == DropReason.None, "altered hello reads");
            Check.Equal(DropReason.InvalidToken, altered.TokenExpireUnixSeconds <= NowUnix ? DropReason.InvalidToken : Open(altered), "a token with a flipped bit");
        }
    }

    private DropReason Open(in Hello hello) =>
        _opener.TryOpen(hello.TokenVersion, hello.ProtocolId, hello.TokenExpireUnixSeconds, hello.TokenNonce, hello.SealedToken, NowUnix, _plain, out _);

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var token = SeedToken();
        yield return ("token", token.ToBytes());
        var hello = new byte[ProtocolConstants.HelloSize];
        HandshakePackets.WriteHello(hello, 0x1122334455667788, default, token: token);
        yield return ("hello-with-token", hello);
    }

    /// <summary>A token sealed with the target's key, keys and nonce fixed so the seeds never change.</summary>
    internal static ConnectToken SeedToken() =>
        ConnectToken.Seal(s_key, 42, [s_server, new IPEndPoint(IPAddress.IPv6Loopback, 7777)], 0, 5, NowUnix - 10, NowUnix + 3600,
            [.. Enumerable.Range(0, SecurityConstants.NonceSize).Select(i => (byte)i)],
            [.. Enumerable.Range(0, SecurityConstants.KeySize).Select(i => (byte)(i + 64))],
            [.. Enumerable.Range(0, SecurityConstants.KeySize).Select(i => (byte)(i + 128))]);
}
