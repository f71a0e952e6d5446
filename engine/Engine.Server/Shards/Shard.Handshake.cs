using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server.Sessions;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>The handshake: stateless cookies first, a session only for a client that proved its address.</summary>
internal sealed partial class Shard
{
    private readonly HandshakeCookies _cookies;

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
            SendWelcome(source, hello.Nonce, recent.ConnectionId);
            return;
        }
        if (_server.SessionCount >= _options.MaxSessions)
        {
            Counters.Drop(DropReason.ServerFull);
            SendReject(source, hello.Nonce, RejectReason.ServerFull);
            return;
        }
        if (!_server.TryAddAddressSession(source))
        {
            Counters.AddressLimitRejects++;
            SendReject(source, hello.Nonce, RejectReason.TooManySessionsFromAddress);
            return;
        }
        var target = _server.PlaceSession();
        var admission = new Admission(source, hello.Nonce, NewConnectionId(target.Index));
        if (target == this)
        {
            Admit(admission, now);
        }
        else if (!target.Inbox.TryEnqueue(admission))
        {
            target.CancelReservation();
            _server.RemoveAddressSession(source);
            Counters.Drop(DropReason.ServerFull);
            return;
        }
        _recentAdmissions[key] = new RecentAdmission(admission.ConnectionId, now + RecentAdmissionUs);
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
            _server.RemoveAddressSession(admission.Address);
            return;
        }
        _sessions.Add(admission.ConnectionId, _sessionPool.Rent(admission.ConnectionId, admission.Address, _server.NextPlayerId(), now));
        Interlocked.Increment(ref _sessionCount);
        Counters.SessionsOpened++;
        SendWelcome(admission.Address, admission.Nonce, admission.ConnectionId);
    }

    private void SendWelcome(in PeerAddress destination, ulong nonce, ulong connectionId)
    {
        var welcome = new Welcome(nonce, connectionId, (uint)_options.TimeoutMs, (ushort)_options.PingIntervalMs, (ushort)_options.MaxPayload);
        CommitDatagram(destination, HandshakePackets.WriteWelcome(NextDatagram(), welcome));
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

    private readonly record struct RecentAdmission(ulong ConnectionId, long ExpiresUs);
}
