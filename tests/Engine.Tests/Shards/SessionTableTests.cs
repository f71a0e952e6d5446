using System.Net;
using Engine.Protocol.Sessions;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Shards;

/// <summary>The shard's table of sessions: ids of sessions moving in stay valid for a grace, ids of sessions moving out follow them.</summary>
public class SessionTableTests
{
    private static readonly PeerAddress s_address = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 4000));

    private static Session NewSession(ulong id)
    {
        var session = new Session(new Connection(0, ConnectionOptions.Default, 0));
        session.Begin(id, s_address, playerId: 1, nowUs: 0);
        return session;
    }

    [Fact]
    public void A_session_that_moves_here_answers_to_both_ids_until_the_old_one_expires()
    {
        var table = new SessionTable();
        var session = NewSession(0x0100);
        table.AddArrival(session, newConnectionId: 0x0201, previousIdExpiresUs: 1_000);

        Assert.True(table.TryGet(0x0100, out var byOld) && byOld == session);
        Assert.True(table.TryGet(0x0201, out var byNew) && byNew == session);
        Assert.True(table.IsMoving(0x0100));
        Assert.Single(Sessions(table)); // each session once, whatever its ids

        table.ExpireMoves(999);
        Assert.True(table.Contains(0x0100));
        table.ExpireMoves(1_000);
        Assert.False(table.Contains(0x0100));
        Assert.True(table.Contains(0x0201));
    }

    [Fact]
    public void A_session_that_moves_away_is_forgotten_under_every_id_and_its_id_names_the_new_shard()
    {
        var table = new SessionTable();
        var session = NewSession(0x0100);
        table.AddArrival(session, newConnectionId: 0x0201, previousIdExpiresUs: 10_000);

        // It moves on before the client used the id it was given here.
        table.RemoveMovedAway(session, shard: 3, expiresUs: 5_000);
        Assert.False(table.Contains(0x0100));
        Assert.False(table.Contains(0x0201));
        Assert.Empty(Sessions(table));
        Assert.True(table.TryGetMovedAway(0x0100, out var shard));
        Assert.Equal(3, shard);
        Assert.False(table.TryGetMovedAway(0x0201, out _));

        table.ExpireMoves(5_000);
        Assert.False(table.TryGetMovedAway(0x0100, out _));
        Assert.False(table.IsMoving(0x0100));
    }

    [Fact]
    public void Removing_a_session_forgets_all_its_ids_and_says_whether_it_was_open_here()
    {
        var table = new SessionTable();
        var staying = NewSession(0x0300);
        var arriving = NewSession(0x0400);
        table.Add(staying);
        table.AddArrival(arriving, newConnectionId: 0x0501, previousIdExpiresUs: 10_000);

        Assert.True(table.Remove(arriving));
        Assert.False(table.Contains(0x0400));
        Assert.False(table.Contains(0x0501));
        Assert.False(table.Remove(arriving));
        Assert.Equal([staying], Sessions(table));
    }

    [Fact]
    public void Walking_the_sessions_allocates_nothing()
    {
        var table = new SessionTable();
        for (ulong id = 1; id <= 100; id++)
        {
            table.Add(NewSession(id << 8));
        }
        var count = 0;
        foreach (var session in table.All)
        {
            count += session.PlayerId > 0 ? 1 : 0; // warm up
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var pass = 0; pass < 100; pass++)
        {
            foreach (var session in table.All)
            {
                count += session.PlayerId > 0 ? 1 : 0;
            }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(101 * 100, count);
    }

    [Fact]
    public void The_walk_lists_exactly_the_open_sessions_through_any_mix_of_arrivals_and_leaves()
    {
        var table = new SessionTable();
        var open = new HashSet<Session>();
        var random = new Random(11);
        ulong nextId = 1;
        for (var step = 0; step < 5_000; step++)
        {
            if (open.Count == 0 || random.Next(3) > 0)
            {
                var session = NewSession(nextId++ << 8);
                if (random.Next(2) == 0)
                {
                    table.Add(session);
                }
                else
                {
                    table.AddArrival(session, newConnectionId: nextId++ << 8, previousIdExpiresUs: 1_000_000);
                }
                open.Add(session);
            }
            else
            {
                var leaver = open.ElementAt(random.Next(open.Count));
                if (random.Next(2) == 0)
                {
                    table.Remove(leaver);
                }
                else
                {
                    table.RemoveMovedAway(leaver, shard: 1, expiresUs: 0);
                }
                open.Remove(leaver);
            }
            if (step % 97 == 0)
            {
                Assert.Equal(open.OrderBy(s => s.Connection.Id), Sessions(table).OrderBy(s => s.Connection.Id));
            }
        }
        Assert.Equal(open.Count, table.Count);
        table.Clear();
        Assert.Empty(Sessions(table));
    }

    private static List<Session> Sessions(SessionTable table)
    {
        var list = new List<Session>();
        foreach (var session in table.All)
        {
            list.Add(session);
        }
        return list;
    }
}
