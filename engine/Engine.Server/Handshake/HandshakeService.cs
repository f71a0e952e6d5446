using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;
using Engine.Server.Limits;
using Engine.Server.Security;
using Engine.Server.Shards;
using Engine.Transport;

namespace Engine.Server.Handshake;

/// <summary>
/// The handshake of one shard: stateless cookies first, a session only for a client that proved its
/// address. A secure server then opens the hello's connect token (only after the cookie, so
/// spoofed-source floods never cost a decryption), checks it and consumes it in the table the
/// shards share. Sans-IO: a hello and the time come in, a <see cref="HelloOutcome"/> goes out, and
/// the reply is written where the caller says; the shard sends it.
/// </summary>
internal sealed class HandshakeService : IDisposable
{
    // Admissions granted recently, so a retransmitted hello gets the same welcome instead of a
    // second session. Entries live as long as a cookie does.
    private const long RecentAdmissionUs = 10_000_000;

    private readonly ServerOptions _options;
    private readonly HandshakeCookies _cookies;
    private readonly ServerIdentity _identity;
    private readonly UsedTokenTable? _usedTokens;
    private readonly ShardDirectory _directory;
    private readonly AddressRateTable _addressLimits;
    private readonly ShardCounters _counters;

    // Null when the server runs insecure. One per shard: AES-GCM contexts are not thread-safe.
    private readonly ConnectTokenOpener? _tokenOpener;

    // Sized up front for about 100 joins a second per shard so ordinary churn never grows it.
    private readonly Dictionary<AdmissionKey, RecentAdmission> _recentAdmissions = new(capacity: 1024);
    private long _nextPruneUs;

    public HandshakeService(ServerOptions options, byte[] cookieSecret, ServerIdentity identity, UsedTokenTable? usedTokens,
        ShardDirectory directory, AddressRateTable addressLimits, ShardCounters counters)
    {
        _options = options;
        _cookies = new HandshakeCookies(cookieSecret);
        _identity = identity;
        _usedTokens = usedTokens;
        _directory = directory;
        _addressLimits = addressLimits;
        _counters = counters;
        _tokenOpener = options.Insecure ? null : new ConnectTokenOpener(options.ConnectTokenKey, options.ProtocolId);
    }

    /// <summary>
    /// Reads a hello from <paramref name="source"/> and decides; any reply is written to
    /// <paramref name="reply"/> (room for a datagram). <paramref name="closed"/> is why the server
    /// takes no new session now (shutting down, draining), <see cref="RejectReason.None"/> while it does.
    /// </summary>
    public HelloOutcome Receive(ReadOnlySpan<byte> datagram, in PeerAddress source, long nowUs, long nowUnixSeconds, RejectReason closed, Span<byte> reply)
    {
        var reason = HandshakePackets.TryReadHello(datagram, out var hello);
        if (reason != DropReason.None)
        {
            _counters.Drop(reason);
            return HelloOutcome.None;
        }
        _counters.HellosReceived++;
        if (!_addressLimits.TryTakeHandshake(source, nowUs))
        {
            _counters.Drop(DropReason.HandshakeRateLimited);
            return HelloOutcome.None;
        }
        if (hello.Version != ProtocolConstants.Version)
        {
            return Refuse(reply, hello.Nonce, DropReason.VersionMismatch, RejectReason.VersionMismatch);
        }
        if (closed != RejectReason.None)
        {
            return Refuse(reply, hello.Nonce, closed == RejectReason.Draining ? DropReason.Draining : DropReason.ShuttingDown, closed);
        }
        Span<byte> address = stackalloc byte[PeerAddress.CanonicalLength];
        source.WriteCanonicalBytes(address);
        if (!hello.HasCookie)
        {
            Span<byte> cookie = stackalloc byte[ProtocolConstants.CookieSize];
            _cookies.Issue(address, hello.Nonce, nowUs, cookie);
            _counters.ChallengesSent++;
            return HelloOutcome.Reply(HandshakePackets.WriteChallenge(reply, hello.Nonce, cookie));
        }
        reason = _cookies.Verify(address, hello.Nonce, hello.Cookie, nowUs);
        if (reason != DropReason.None)
        {
            _counters.Drop(reason);
            return HelloOutcome.None;
        }
        var key = new AdmissionKey(source, hello.Nonce);
        if (_recentAdmissions.TryGetValue(key, out var recent))
        {
            return Welcome(reply, recent.Welcome);
        }
        if (_tokenOpener is null)
        {
            return hello.TokenVersion != 0
                ? Refuse(reply, hello.Nonce, DropReason.SecurityModeMismatch, RejectReason.SecurityModeMismatch)
                : Place(source, hello.Nonce, nowUs, default, null, 0, reply);
        }
        if (hello.TokenVersion == 0)
        {
            return Refuse(reply, hello.Nonce, DropReason.SecurityModeMismatch, RejectReason.SecurityModeMismatch);
        }
        Span<byte> plain = stackalloc byte[SecurityConstants.PrivateTokenSize];
        reason = _tokenOpener.TryOpen(hello.TokenVersion, hello.ProtocolId, hello.TokenExpireUnixSeconds, hello.TokenNonce, hello.SealedToken, nowUnixSeconds, plain, out var token);
        if (reason != DropReason.None)
        {
            return Refuse(reply, hello.Nonce, reason, reason == DropReason.ExpiredToken ? RejectReason.TokenExpired : RejectReason.TokenRefused);
        }
        if (!token.Lists(_identity))
        {
            return Refuse(reply, hello.Nonce, DropReason.TokenAddressNotListed, RejectReason.TokenRefused);
        }
        var tag = TokenTag.Of(hello.SealedToken);
        switch (_usedTokens!.TryReserve(tag, source, hello.Nonce, token.ExpireUnixSeconds, nowUnixSeconds, out var previous))
        {
            case TokenUse.SameClient:
                // The same client's retransmitted hello, here on another shard: the same welcome again.
                return previous.Length > 0 ? Welcome(reply, previous) : HelloOutcome.None;
            case TokenUse.Replayed:
                return Refuse(reply, hello.Nonce, DropReason.TokenReplayed, RejectReason.TokenRefused);
            case TokenUse.Full:
                return Refuse(reply, hello.Nonce, DropReason.ServerFull, RejectReason.ServerFull);
        }
        // The token reads from the plaintext, which is wiped before it leaves this frame.
        var keys = PacketProtection.ForServer(token.ClientToServerKey, token.ServerToClientKey);
        var playerId = token.PlayerId;
        plain.Clear();
        return Place(source, hello.Nonce, nowUs, tag, keys, playerId, reply);
    }

    /// <summary>
    /// Chooses the shard of a verified client (after the server-wide limits) and writes the welcome it
    /// is to get under the id that steers there; refused, the token is released and the client told.
    /// </summary>
    private HelloOutcome Place(in PeerAddress source, ulong nonce, long nowUs, in TokenTag tag, PacketProtection? keys, ulong tokenPlayerId, Span<byte> reply)
    {
        var refused = _directory.TryPlaceSession(source, out var shard);
        if (refused != RejectReason.None)
        {
            keys?.Dispose();
            if (keys is not null)
            {
                _usedTokens!.Release(tag);
            }
            if (refused == RejectReason.TooManySessionsFromAddress)
            {
                _counters.AddressLimitRejects++;
                return Reject(reply, nonce, refused);
            }
            return Refuse(reply, nonce, DropReason.ServerFull, refused);
        }
        var connectionId = ShardDirectory.NewConnectionId(shard);
        var welcome = new Welcome(nonce, connectionId, (uint)_options.TimeoutMs, (ushort)_options.PingIntervalMs, (ushort)_options.MaxPayload);
        Span<byte> bytes = stackalloc byte[ProtocolConstants.SealedWelcomeSize];
        var welcomeDatagram = WelcomeDatagram.From(bytes.Slice(0, keys is null ? HandshakePackets.WriteWelcome(bytes, welcome) : keys.SealWelcome(bytes, welcome)));
        if (keys is not null)
        {
            _usedTokens!.Complete(tag, welcomeDatagram);
        }
        _recentAdmissions[new AdmissionKey(source, nonce)] = new RecentAdmission(welcomeDatagram, nowUs + RecentAdmissionUs);
        return HelloOutcome.Admit(shard, new Admission(source, nonce, connectionId, keys, tokenPlayerId, tag, welcomeDatagram));
    }

    /// <summary>An admission that could not reach its shard: forget it, so the client's next hello starts over.</summary>
    public void Abandon(in Admission admission)
    {
        _recentAdmissions.Remove(new AdmissionKey(admission.Address, admission.Nonce));
        if (admission.Keys is not null)
        {
            admission.Keys.Dispose();
            _usedTokens!.Release(admission.Tag);
        }
    }

    /// <summary>Forgets admissions older than a cookie; at most once a second.</summary>
    public void Prune(long nowUs)
    {
        if (nowUs < _nextPruneUs || _recentAdmissions.Count == 0)
        {
            return;
        }
        _nextPruneUs = nowUs + 1_000_000;
        foreach (var (key, recent) in _recentAdmissions)
        {
            if (recent.ExpiresUs <= nowUs)
            {
                _recentAdmissions.Remove(key);
            }
        }
    }

    private HelloOutcome Refuse(Span<byte> reply, ulong nonce, DropReason drop, RejectReason reject)
    {
        _counters.Drop(drop);
        return Reject(reply, nonce, reject);
    }

    private HelloOutcome Reject(Span<byte> reply, ulong nonce, RejectReason reason)
    {
        _counters.RejectsSent++;
        return HelloOutcome.Reply(HandshakePackets.WriteReject(reply, nonce, reason));
    }

    private HelloOutcome Welcome(Span<byte> reply, in WelcomeDatagram welcome)
    {
        welcome.CopyTo(reply);
        _counters.WelcomesSent++;
        return HelloOutcome.Reply(welcome.Length);
    }

    public void Dispose() => _tokenOpener?.Dispose();

    private readonly record struct AdmissionKey(PeerAddress Address, ulong Nonce);

    private readonly record struct RecentAdmission(WelcomeDatagram Welcome, long ExpiresUs);
}
