using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server.Security;
using Engine.Server.Sessions;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>
/// The handshake: stateless cookies first, a session only for a client that proved its address. A
/// secure server then opens the hello's connect token (only after the cookie, so spoofed-source floods
/// never cost a decryption), checks it and consumes it in the table the shards share.
/// </summary>
internal sealed partial class Shard
{
    private readonly HandshakeCookies _cookies;

    // Null when the server runs insecure. One per shard: AES-GCM contexts are not thread-safe.
    private readonly ConnectTokenOpener? _tokenOpener;

    // Admissions this shard granted recently, so a retransmitted hello gets the same welcome
    // instead of a second session. Entries live as long as a cookie does; sized up front for
    // about 100 joins a second per shard so ordinary churn never grows it.
    private readonly Dictionary<AdmissionKey, RecentAdmission> _recentAdmissions = new(capacity: 1024);
    private const long RecentAdmissionUs = 10_000_000;

    private void HandleHello(ReadOnlySpan<byte> datagram, in PeerAddress source, long now)
    {
        var reason = HandshakePackets.TryReadHello(datagram, out var hello);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        Counters.HellosReceived++;
        if (!_addressLimits.TryTakeHandshake(source, now))
        {
            Counters.Drop(DropReason.HandshakeRateLimited);
            return;
        }
        if (hello.Version != ProtocolConstants.Version)
        {
            Counters.Drop(DropReason.VersionMismatch);
            SendReject(source, hello.Nonce, RejectReason.VersionMismatch);
            return;
        }
        if (_stopRequested || _server.IsStopping)
        {
            Counters.Drop(DropReason.ShuttingDown);
            SendReject(source, hello.Nonce, RejectReason.ShuttingDown);
            return;
        }
        Span<byte> address = stackalloc byte[PeerAddress.CanonicalLength];
        source.WriteCanonicalBytes(address);
        if (!hello.HasCookie)
        {
            var buffer = NextDatagram();
            Span<byte> cookie = stackalloc byte[ProtocolConstants.CookieSize];
            _cookies.Issue(address, hello.Nonce, now, cookie);
            CommitDatagram(source, HandshakePackets.WriteChallenge(buffer, hello.Nonce, cookie));
            Counters.ChallengesSent++;
            return;
        }
        reason = _cookies.Verify(address, hello.Nonce, hello.Cookie, now);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        var key = new AdmissionKey(source, hello.Nonce);
        if (_recentAdmissions.TryGetValue(key, out var recent))
        {
            ResendWelcome(source, recent.Welcome);
            return;
        }
        if (_tokenOpener is null)
        {
            if (hello.TokenVersion != 0)
            {
                Refuse(source, hello.Nonce, DropReason.SecurityModeMismatch, RejectReason.SecurityModeMismatch);
                return;
            }
            TryPlace(hello.Nonce, source, key, now, default, default, default);
            return;
        }
        if (hello.TokenVersion == 0)
        {
            Refuse(source, hello.Nonce, DropReason.SecurityModeMismatch, RejectReason.SecurityModeMismatch);
            return;
        }
        Span<byte> plain = stackalloc byte[SecurityConstants.PrivateTokenSize];
        var nowUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        reason = _tokenOpener.TryOpen(hello.TokenVersion, hello.ProtocolId, hello.TokenExpireUnixSeconds, hello.TokenNonce, hello.SealedToken, nowUnix, plain, out var token);
        if (reason != DropReason.None)
        {
            Refuse(source, hello.Nonce, reason, reason == DropReason.ExpiredToken ? RejectReason.TokenExpired : RejectReason.TokenRefused);
            return;
        }
        if (!token.Lists(_server.Identity))
        {
            Refuse(source, hello.Nonce, DropReason.TokenAddressNotListed, RejectReason.TokenRefused);
            return;
        }
        var tag = TokenTag.Of(hello.SealedToken);
        switch (_server.UsedTokens!.TryReserve(tag, source, hello.Nonce, token.ExpireUnixSeconds, nowUnix, out var previous))
        {
            case TokenUse.SameClient:
                // The same client's retransmitted hello, here on another shard: the same welcome again.
                if (previous.Length > 0)
                {
                    ResendWelcome(source, previous);
                }
                return;
            case TokenUse.Replayed:
                Refuse(source, hello.Nonce, DropReason.TokenReplayed, RejectReason.TokenRefused);
                return;
            case TokenUse.Full:
                Refuse(source, hello.Nonce, DropReason.ServerFull, RejectReason.ServerFull);
                return;
        }
        var keys = PacketProtection.ForServer(token.ClientToServerKey, token.ServerToClientKey);
        plain.Clear();
        if (!TryPlace(hello.Nonce, source, key, now, tag, keys, token.PlayerId))
        {
            keys.Dispose();
            _server.UsedTokens.Release(tag);
        }
    }

    /// <summary>
    /// Finds the shard for a new session (after the server-wide limits) and hands it the admission with the
    /// welcome it is to send; false when a limit refused it (the client has been told).
    /// </summary>
    private bool TryPlace(ulong nonce, in PeerAddress source, in AdmissionKey key, long now, in TokenTag tag, PacketProtection? keys, ulong tokenPlayerId)
    {
        if (_server.SessionCount >= _options.MaxSessions)
        {
            Refuse(source, nonce, DropReason.ServerFull, RejectReason.ServerFull);
            return false;
        }
        if (!_server.TryAddAddressSession(source))
        {
            Counters.AddressLimitRejects++;
            SendReject(source, nonce, RejectReason.TooManySessionsFromAddress);
            return false;
        }
        var target = _server.PlaceSession();
        var connectionId = NewConnectionId(target.Index);
        var welcome = new Welcome(nonce, connectionId, (uint)_options.TimeoutMs, (ushort)_options.PingIntervalMs, (ushort)_options.MaxPayload);
        Span<byte> bytes = stackalloc byte[ProtocolConstants.SealedWelcomeSize];
        var welcomeDatagram = WelcomeDatagram.From(bytes.Slice(0, keys is null ? HandshakePackets.WriteWelcome(bytes, welcome) : keys.SealWelcome(bytes, welcome)));
        var admission = new Admission(source, nonce, connectionId, keys, tokenPlayerId, welcomeDatagram);
        if (target == this)
        {
            Admit(admission, now);
        }
        else if (!target.Inbox.TryEnqueue(admission))
        {
            target.CancelReservation();
            _server.RemoveAddressSession(source);
            Counters.Drop(DropReason.ServerFull);
            return false;
        }
        if (keys is not null)
        {
            _server.UsedTokens!.Complete(tag, welcomeDatagram);
        }
        _recentAdmissions[key] = new RecentAdmission(welcomeDatagram, now + RecentAdmissionUs);
        return true;
    }

    private void Refuse(in PeerAddress source, ulong nonce, DropReason drop, RejectReason reject)
    {
        Counters.Drop(drop);
        SendReject(source, nonce, reject);
    }

    public void CancelReservation() => Interlocked.Decrement(ref _reserved);

    /// <summary>Creates sessions other shards placed here.</summary>
    private void DrainInbox(long now)
    {
        while (Inbox.TryDequeue(out var admission))
        {
            Admit(admission, now);
        }
    }

    private void Admit(in Admission admission, long now)
    {
        Interlocked.Decrement(ref _reserved);
        if (_stopRequested || _sessions.ContainsKey(admission.ConnectionId))
        {
            admission.Keys?.Dispose();
            _server.RemoveAddressSession(admission.Address);
            return;
        }
        _sessions.Add(admission.ConnectionId, _sessionPool.Rent(admission.ConnectionId, admission.Address, _server.NextPlayerId(), now, admission.Keys, admission.TokenPlayerId));
        Interlocked.Increment(ref _sessionCount);
        Counters.SessionsOpened++;
        ResendWelcome(admission.Address, admission.Welcome);
    }

    private void ResendWelcome(in PeerAddress destination, in WelcomeDatagram welcome)
    {
        var buffer = NextDatagram();
        welcome.CopyTo(buffer);
        CommitDatagram(destination, welcome.Length);
        Counters.WelcomesSent++;
    }

    private void SendReject(in PeerAddress destination, ulong nonce, RejectReason reason)
    {
        CommitDatagram(destination, HandshakePackets.WriteReject(NextDatagram(), nonce, reason));
        Counters.RejectsSent++;
    }

    /// <summary>A random id whose first wire byte names the owning shard, so the kernel steers its packets there.</summary>
    private static ulong NewConnectionId(int shard)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        random[0] = (byte)shard;
        return BinaryPrimitives.ReadUInt64LittleEndian(random);
    }

    private long _nextPruneUs;

    private void PruneRecentAdmissions(long now)
    {
        if (now < _nextPruneUs || _recentAdmissions.Count == 0)
        {
            return;
        }
        _nextPruneUs = now + 1_000_000;
        foreach (var (key, recent) in _recentAdmissions)
        {
            if (recent.ExpiresUs <= now)
            {
                _recentAdmissions.Remove(key);
            }
        }
    }

    private readonly record struct AdmissionKey(PeerAddress Address, ulong Nonce);

    private readonly record struct RecentAdmission(WelcomeDatagram Welcome, long ExpiresUs);
}
