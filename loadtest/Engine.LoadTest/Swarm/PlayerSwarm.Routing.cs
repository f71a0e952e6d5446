using System.Buffers.Binary;
using Engine.LoadTest.Metrics;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.LoadTest.Swarm;

internal sealed partial class PlayerSwarm
{
    /// <summary>
    /// The player a datagram is for. With a socket per player the socket names it, and the packet must
    /// agree: a session packet's connection id (bytes 1..8, LE; after a migration the new or the old id)
    /// or a handshake reply's nonce must be that player's, or the datagram counts as unrouted. On shared
    /// sockets every datagram comes from the one server, so the player is found by what the packet says.
    /// </summary>
    private int Route(int socket, ReadOnlySpan<byte> datagram)
    {
        var kind = ClientRouting.Read(datagram, out var key);
        if (_sockets.NamesPlayer)
        {
            var p = _players[socket];
            return kind switch
            {
                RouteKey.ConnectionId when key != 0 && (key == p.RoutedId || key == p.RoutedOldId) => socket,
                RouteKey.Nonce when key != 0 && key == p.RoutedNonce => socket,
                _ => -1,
            };
        }
        return kind switch
        {
            RouteKey.ConnectionId => _byConnectionId!.TryGetValue(key, out var player) ? player : -1,
            RouteKey.Nonce => _byNonce!.TryGetValue(key, out var player) ? player : -1,
            _ => -1,
        };
    }

    private void Deliver(int socket, Span<byte> datagram, long now)
    {
        var index = Route(socket, datagram);
        if (index < 0)
        {
            _counters.Unrouted++;
            return;
        }
        var p = _players[index];
        if (p.Phase is PlayerPhase.Silent or PlayerPhase.Done or PlayerPhase.Waiting)
        {
            return; // playing dead, or finished: the datagram is lost on purpose
        }
        var before = p.Connection.State;
        var handler = new Handler(this, p, now);
        p.Connection.Receive(datagram, now, ref handler);
        var after = p.Connection.State;
        if (before != ClientState.Connected && after == ClientState.Connected)
        {
            OnConnected(p, now);
        }
        else if (before == ClientState.Connected && after == ClientState.Disconnected)
        {
            OnLost(p, now);
        }
        else if (after == ClientState.Disconnected && p.Phase == PlayerPhase.Handshaking)
        {
            _counters.HandshakeRejects++;
            RetryConnect(p, now);
        }
        // Most datagrams (snapshots) leave nothing to answer: inputs carry the acknowledgements.
        if (after != ClientState.Connected || p.Connection.Session is not { } session || session.HasOutput(now))
        {
            MarkDirty(p);
        }
    }

    private static readonly TimeSpan s_tokenLifetime = TimeSpan.FromSeconds(30);

    private void StartConnect(SimPlayer p, long now)
    {
        Unroute(p);
        if (Tickets is not null)
        {
            if (TakeTicketToken(p, now) is not { } ticketToken)
            {
                return; // past its expiry: the player asked for another
            }
            p.Connection.Connect(now, ticketToken);
        }
        else if (_tokenKey is null)
        {
            p.Connection.Connect(now);
        }
        else
        {
            // A fresh token per attempt, as short-lived as docs/SECURITY.md asks backends to issue them:
            // the server remembers each admitted token until it expires.
            p.Connection.Connect(now, ConnectToken.Issue(_tokenKey, (ulong)(_options.FirstPlayerId + p.Index), [_server], s_tokenLifetime));
        }
        p.RoutedNonce = p.Connection.Nonce;
        _byNonce?[p.RoutedNonce] = p.Index;
        p.ConnectStartedUs = now;
        p.PendingRequest = 0;
        _counters.HandshakesStarted++;
        SetPhase(p, PlayerPhase.Handshaking);
        MarkDirty(p);
    }

    private void Unroute(SimPlayer p)
    {
        if (p.RoutedNonce != 0)
        {
            _byNonce?.Remove(p.RoutedNonce);
            p.RoutedNonce = 0;
        }
        if (p.RoutedId != 0)
        {
            _byConnectionId?.Remove(p.RoutedId);
            p.RoutedId = 0;
        }
        if (p.RoutedOldId != 0)
        {
            _byConnectionId?.Remove(p.RoutedOldId);
            p.RoutedOldId = 0;
        }
    }

    private void OnConnected(SimPlayer p, long now)
    {
        _byNonce?.Remove(p.RoutedNonce);
        p.RoutedNonce = 0;
        p.RoutedId = p.Connection.ConnectionId;
        _byConnectionId?[p.RoutedId] = p.Index;
        _counters.HandshakesCompleted++;
        Handshake.Record(now - p.ConnectStartedUs);
        p.NextRttSampleUs = now + 1_000_000;
        SetPhase(p, PlayerPhase.Lobby);
        p.NextActionUs = now;
        RequestRoom(p, now);
    }

    /// <summary>The server ended the session (timeout, kick, shutdown): come back as a new session shortly.</summary>
    private void OnLost(SimPlayer p, long now)
    {
        _counters.ServerDisconnects++;
        LeaveRoomState(p);
        RetryConnect(p, now);
    }

    private void RetryConnect(SimPlayer p, long now)
    {
        Unroute(p);
        p.StartAtUs = now + RetryDelayUs;
        SetPhase(p, PlayerPhase.Waiting);
    }

    private void OnMove(SimPlayer p, ulong newId)
    {
        p.Connection.Move(newId);
        if (p.RoutedOldId != 0)
        {
            _byConnectionId?.Remove(p.RoutedOldId);
        }
        p.RoutedOldId = p.RoutedId;
        p.RoutedId = newId;
        _byConnectionId?[newId] = p.Index;
        _counters.ShardMoves++;
    }

    private readonly struct Handler(PlayerSwarm swarm, SimPlayer player, long now) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload)
        {
        }

        public void OnReliable(ReadOnlySpan<byte> payload) => swarm.OnRoomMessage(player, payload, now);

        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
        {
            if (kind == MessageKind.Snapshot)
            {
                swarm.OnSnapshot(player, payload, now);
            }
        }
    }

    private readonly struct AckSink(LatencySet set) : ILatencySink
    {
        public void Record(long us) => set.Record(us);
    }
}
