using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Server.Security;
using Engine.Server.Sessions;

namespace Engine.Server.Fleet;

/// <summary>
/// One shard's side of moving players between nodes. Outgoing: a join by fleet-wide room id that names
/// another node is answered, from the directory's cached copy, with a Redirect: a connect token for that
/// node and a resume ticket naming the room. Incoming: a ticket presented here is opened and checked
/// (key, expiry, this node, the session's player, used once) before the room service seats the player
/// by the ordinary rules. Only on a secure server: tokens and tickets need the token key.
/// </summary>
internal sealed class FleetMoves : IDisposable
{
    /// <summary>How long the redirect's token and ticket stay good: long enough to reconnect, too short to hoard.</summary>
    public const int RedirectLifetimeSeconds = 15;

    private readonly FleetLink _link;
    private readonly ResumeTicketKey _tickets;
    private readonly byte[] _tokenKey;
    private readonly ulong _protocolId;
    private readonly UsedTicketTable _used;
    private readonly ServerIdentity _identity;
    private readonly TimeProvider _time;
    private readonly byte[] _redirect = new byte[1024];
    private readonly byte[] _token = new byte[ConnectToken.Size];
    private readonly byte[] _ticket = new byte[ResumeTicket.Size];
    private readonly byte[] _address = new byte[SecurityConstants.AddressSize];

    public FleetMoves(FleetLink link, ReadOnlySpan<byte> tokenKey, ulong protocolId, UsedTicketTable used, ServerIdentity identity, TimeProvider time)
    {
        _link = link;
        _tickets = new ResumeTicketKey(tokenKey, protocolId);
        _tokenKey = tokenKey.ToArray();
        _protocolId = protocolId;
        _used = used;
        _identity = identity;
        _time = time;
    }

    /// <summary>
    /// Where a join by fleet-wide id goes. <paramref name="local"/>: the id names this node, so it is an
    /// ordinary join here. Otherwise <see cref="RoomStatus.Ok"/> with the Redirect to send in
    /// <paramref name="redirect"/>, or why the player cannot go.
    /// </summary>
    public RoomStatus TryRedirect(Session session, in RoomRequest request, out bool local, out ReadOnlySpan<byte> redirect)
    {
        local = false;
        redirect = default;
        if (_link.Directory is not { } directory)
        {
            return RoomStatus.Unavailable;
        }
        var nodeId = Encoding.UTF8.GetString(request.NodeId);
        if (nodeId == directory.NodeId)
        {
            local = true;
            return RoomStatus.Ok;
        }
        var now = _time.GetUtcNow();
        var found = directory.Find(nodeId, request.RoomId, request.Spectate, now.ToUnixTimeMilliseconds());
        switch (found.Status)
        {
            case FleetRoomStatus.NotFound:
                return RoomStatus.NotFound;
            case FleetRoomStatus.Draining:
                return RoomStatus.Draining;
            case FleetRoomStatus.Full:
                return RoomStatus.Full;
        }
        // The directory never holds passwords; only a missing one (or one no room could have) is known to be wrong here.
        if ((found.HasPassword && request.Password.IsEmpty) || request.Password.Length > ResumeTicket.MaxPasswordBytes)
        {
            return RoomStatus.WrongPassword;
        }
        var server = found.Address!;
        var token = ConnectToken.Issue(_tokenKey, session.TokenPlayerId, [server], TimeSpan.FromSeconds(RedirectLifetimeSeconds), _protocolId, now: now);
        token.Write(_token);
        _tickets.Seal(_ticket, session.TokenPlayerId, server, request.RoomId, request.Spectate, request.Password, token.ExpireUnixSeconds);
        TokenAddress.Write(server, _address);
        var length = RoomMessages.Redirect(_redirect, new RedirectTarget
        {
            RequestId = request.RequestId,
            NodeId = request.NodeId,
            RoomId = request.RoomId,
            Address = _address,
            ConnectToken = _token,
            Ticket = _ticket,
        });
        redirect = _redirect.AsSpan(0, length);
        return RoomStatus.Ok;
    }

    /// <summary>
    /// Opens a ticket presented by <paramref name="session"/> into <paramref name="plain"/> and checks that it may
    /// be used: for this node, by this player, for the first time. The room's own rules come after, as for any join.
    /// </summary>
    public TicketVerdict Redeem(Session session, ReadOnlySpan<byte> ticket, Span<byte> plain, out ResumeTicket opened)
    {
        var nowUnix = _time.GetUtcNow().ToUnixTimeSeconds();
        var verdict = _tickets.TryOpen(ticket, nowUnix, plain, out opened);
        if (verdict != TicketVerdict.Accepted)
        {
            return verdict;
        }
        if (!TokenAddress.Matches(opened.Address, _identity))
        {
            return TicketVerdict.WrongServer;
        }
        if (opened.PlayerId != session.TokenPlayerId)
        {
            return TicketVerdict.WrongPlayer;
        }
        return _used.TryUse(TokenTag.Read(ResumeTicketKey.Tag(ticket)), opened.ExpireUnixSeconds, nowUnix) ? TicketVerdict.Accepted : TicketVerdict.Replayed;
    }

    public void Dispose() => _tickets.Dispose();
}
