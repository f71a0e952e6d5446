using System.Net;
using Engine.Protocol.Handshake;
using Engine.Server.Handshake;
using Engine.Server.Rooms;
using Engine.Server.Shards;
using Engine.Tests.Sessions;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Shards;

/// <summary>Placement, reservations and the queues between shards, on a <see cref="ShardDirectory"/> alone.</summary>
public class ShardDirectoryTests
{
    private static int s_nextHost;

    /// <summary>An address of its own, so the per-address limit stays out of the way.</summary>
    private static PeerAddress NewAddress()
    {
        var host = Interlocked.Increment(ref s_nextHost);
        return TestSessions.Address($"10.{host / 62_500 % 250}.{host / 250 % 250}.{1 + (host % 250)}", 5000);
    }

    private static int Place(ShardDirectory directory, PeerAddress? address = null)
    {
        Assert.Equal(RejectReason.None, directory.TryPlaceSession(address ?? NewAddress(), out var shard));
        return shard;
    }

    private static int[] Loads(ShardDirectory directory) => Enumerable.Range(0, directory.Count).Select(i => directory.Mailbox(i).Load).ToArray();

    [Fact]
    public void New_sessions_go_to_the_least_loaded_shard_counting_those_on_their_way()
    {
        var directory = new ShardDirectory(3, maxSessions: 100, maxSessionsPerAddress: 100);
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(_ => Place(directory)));
        Assert.Equal([2, 2, 2], Loads(directory));
        Assert.Equal(0, directory.SessionCount); // none has opened yet
    }

    [Fact]
    public void Open_sessions_and_reserved_arrivals_both_weigh_on_placement()
    {
        var directory = new ShardDirectory(3, maxSessions: 100, maxSessionsPerAddress: 100);
        directory.Mailbox(0).SessionAdded();
        directory.Mailbox(0).SessionAdded();
        directory.Mailbox(1).Reserve();
        Assert.Equal([2, 1, 2, 0], Enumerable.Range(0, 4).Select(_ => Place(directory)));
        Assert.Equal([3, 2, 2], Loads(directory));
    }

    [Fact]
    public void The_server_wide_session_limit_refuses_with_server_full()
    {
        var directory = new ShardDirectory(2, maxSessions: 2, maxSessionsPerAddress: 100);
        directory.Mailbox(0).SessionAdded();
        directory.Mailbox(1).SessionAdded();
        Assert.Equal(RejectReason.ServerFull, directory.TryPlaceSession(NewAddress(), out var shard));
        Assert.Equal(-1, shard);
        Assert.Equal([1, 1], Loads(directory));
    }

    [Fact]
    public void Sessions_placed_but_not_yet_opened_count_against_the_limit()
    {
        var directory = new ShardDirectory(2, maxSessions: 1, maxSessionsPerAddress: 100);
        Place(directory);
        Assert.Equal(RejectReason.ServerFull, directory.TryPlaceSession(NewAddress(), out _));
    }

    [Fact]
    public void One_address_may_hold_only_so_many_sessions_whatever_its_ports_and_family()
    {
        var directory = new ShardDirectory(2, maxSessions: 100, maxSessionsPerAddress: 2);
        var first = TestSessions.Address("198.51.100.7", 1);
        Place(directory, first);
        Place(directory, PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 2), mapToIPv6: true));
        Assert.Equal(RejectReason.TooManySessionsFromAddress, directory.TryPlaceSession(TestSessions.Address("198.51.100.7", 3), out var shard));
        Assert.Equal(-1, shard);
        Assert.Equal(2, Loads(directory).Sum()); // a refusal reserves nothing
        Place(directory, TestSessions.Address("198.51.100.8", 1));

        directory.SessionClosed(first);
        Place(directory, TestSessions.Address("198.51.100.7", 3));
    }

    [Fact]
    public void A_cancelled_placement_gives_back_the_shards_place_and_the_addresss_share()
    {
        var directory = new ShardDirectory(2, maxSessions: 100, maxSessionsPerAddress: 1);
        var address = NewAddress();
        var shard = Place(directory, address);
        directory.CancelPlacement(shard, address);
        Assert.Equal([0, 0], Loads(directory));
        Assert.Equal(shard, Place(directory, address));
    }

    [Fact]
    public void A_delivered_admission_reaches_its_shards_queue()
    {
        var directory = new ShardDirectory(2, maxSessions: 100, maxSessionsPerAddress: 1);
        var address = NewAddress();
        var shard = Place(directory, address);
        Assert.True(directory.TryDeliver(shard, new Admission(address, 9, ShardDirectory.NewConnectionId(shard), null, 0, default, default)));
        Assert.True(directory.Mailbox(shard).Admissions.TryDequeue(out var delivered));
        Assert.Equal((address, 9UL, shard), (delivered.Address, delivered.Nonce, (int)(byte)delivered.ConnectionId));
        Assert.Equal(1, directory.Mailbox(shard).Load);
    }

    [Fact]
    public void A_full_admission_queue_undoes_the_placement()
    {
        var directory = new ShardDirectory(1, maxSessions: 100_000, maxSessionsPerAddress: 1);
        var queued = 0;
        while (directory.Mailbox(0).Admissions.TryEnqueue(default))
        {
            queued++;
        }
        Assert.True(queued >= 4096, $"{queued} admissions queued");

        var address = NewAddress();
        var shard = Place(directory, address);
        Assert.Equal(1, directory.Mailbox(0).Load);
        Assert.False(directory.TryDeliver(shard, new Admission(address, 1, ShardDirectory.NewConnectionId(shard), null, 0, default, default)));
        Assert.Equal(0, directory.Mailbox(0).Load);
        Place(directory, address); // the address's share came back too
    }

    [Fact]
    public void A_move_reserves_a_place_on_its_target_until_it_arrives()
    {
        var directory = new ShardDirectory(2, maxSessions: 100, maxSessionsPerAddress: 100);
        var session = TestSessions.Open(1, 0);
        var move = new SessionMove(session, ShardDirectory.NewConnectionId(0), RoomJoin.Player(5, 6));
        Assert.True(directory.TryMove(0, move));
        Assert.Equal([1, 0], Loads(directory));
        Assert.Equal(1, Place(directory)); // the arrival weighs on placement
        Assert.True(directory.Mailbox(0).Moves.TryDequeue(out var queued));
        Assert.Equal(move, queued);
    }

    [Fact]
    public void A_move_to_a_full_queue_changes_nothing()
    {
        var directory = new ShardDirectory(2, maxSessions: 100, maxSessionsPerAddress: 100);
        var move = new SessionMove(TestSessions.Open(1, 0), ShardDirectory.NewConnectionId(1), RoomJoin.Player(5, 6));
        while (directory.Mailbox(1).Moves.TryEnqueue(move))
        {
        }
        Assert.False(directory.TryMove(1, move));
        Assert.Equal([0, 0], Loads(directory));
    }

    [Fact]
    public void Connection_ids_name_their_shard_in_the_first_byte_and_player_ids_are_unique()
    {
        for (var shard = 0; shard < 8; shard++)
        {
            var id = ShardDirectory.NewConnectionId(shard);
            Assert.Equal(shard, (byte)id); // the first byte on the wire: ids are little-endian
        }
        Assert.NotEqual(ShardDirectory.NewConnectionId(1), ShardDirectory.NewConnectionId(1));

        var directory = new ShardDirectory(2, 100, 100);
        var ids = Enumerable.Range(0, 100).Select(_ => directory.NextPlayerId()).ToList();
        Assert.Equal(100, ids.Distinct().Count());
        Assert.DoesNotContain(0u, ids);
    }
}
