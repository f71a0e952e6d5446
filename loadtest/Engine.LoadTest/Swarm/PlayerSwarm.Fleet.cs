using Engine.LoadTest.Fleet;
using Engine.Protocol.Security;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// A fleet run (--backend): a player's handshake starts with a ticket from the backend instead of a
/// token the swarm issues. A waiting player posts its request a little before its start time, the
/// answers are picked up once per pass, and the player connects to the node its ticket names at its
/// start time, then joins the ticket's room or quick matches. Every new session asks again: a lost
/// session, a refused or timed-out handshake, a churn leave; a player resuming its kept slot asks for a
/// ticket to that room's node. The HTTP calls run on the <see cref="TicketQueue"/>'s tasks, never here.
/// Each player's socket is connected to its ticket's node (a fleet run always has a socket per player).
/// </summary>
internal sealed partial class PlayerSwarm
{
    // Tickets are asked for this long before the player's start time, so the backend's answer is there
    // when it comes, yet the token (30 s by default) is fresh.
    private const long TicketLeadUs = 500_000;

    // A ticket this close to its token's expiry is not used: the handshake could outlive it.
    private const long TicketMarginUs = 2_000_000;

    /// <summary>The backend's tickets in a fleet run; null against one server.</summary>
    public TicketQueue? Tickets { get; init; }

    /// <summary>A waiting player's start is near: ask the backend where it plays.</summary>
    private void RequestTicket(SimPlayer p)
    {
        p.Ticket = null;
        if (Tickets!.Request(p.Index))
        {
            SetPhase(p, PlayerPhase.Matchmaking);
        }
    }

    /// <summary>A player that played dead comes back: a ticket to the node its kept slot is on, where it resumes.</summary>
    private void RequestRejoinTicket(SimPlayer p, long now)
    {
        p.Ticket = null;
        p.StartAtUs = now;
        if (p.Node >= 0 && p.KeptRoom != 0 ? Tickets!.RequestRejoin(p.Index, p.Node) : Tickets!.Request(p.Index))
        {
            SetPhase(p, PlayerPhase.Matchmaking);
        }
    }

    /// <summary>Picks up the backend's answers: a player whose start time has come connects at once, the others at their slot.</summary>
    private void TakeTickets(long now)
    {
        if (Tickets is not { } tickets)
        {
            return;
        }
        while (tickets.TryTake(out var index, out var ticket))
        {
            var p = _players[index];
            if (p.Phase != PlayerPhase.Matchmaking)
            {
                continue; // it left meanwhile (the run ended)
            }
            if (!ticket.Placed)
            {
                _counters.TicketsRefused++;
                p.StartAtUs = now + RetryDelayUs + TicketLeadUs; // asked again a second later
                SetPhase(p, PlayerPhase.Waiting);
                continue;
            }
            p.Ticket = ticket;
            if (now >= p.StartAtUs)
            {
                StartConnect(p, now);
            }
        }
    }

    /// <summary>
    /// The token for a fleet player's handshake, from its ticket (consumed here); null when the ticket is
    /// too close to its expiry, and then the player asks again. Sets where the player sends and what it
    /// asks for once connected.
    /// </summary>
    private ConnectToken? TakeTicketToken(SimPlayer p, long now)
    {
        var ticket = p.Ticket!;
        p.Ticket = null;
        if (now > ticket.ExpiresAtUs - TicketMarginUs)
        {
            _counters.TicketsExpired++;
            RequestTicket(p);
            return null;
        }
        p.Node = ticket.Node;
        p.TicketRoom = ticket.Room;
        // The player's own socket talks to one server: point it at the ticket's node when that is another.
        var node = Tickets!.Nodes.Address(ticket.Node);
        var sockets = (PlayerSocketPool)_sockets;
        if (!sockets.Peer(p.Socket).Equals(node))
        {
            sockets.Connect(p.Socket, node);
        }
        if (p.Intent != RoomIntent.Resume)
        {
            p.Intent = ticket.Join ? RoomIntent.JoinTicketRoom : RoomIntent.QuickMatch;
        }
        return ticket.Token;
    }
}
