using System.Text;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>
/// The room rules of one shard's <see cref="RoomService{TOutput}"/> (and, where a rule crosses
/// shards, two), without a socket: requests in as the client writes them, answers read back with
/// the protocol's readers, time passed in.
/// </summary>
public class RoomServiceTests
{
    [Fact]
    public void A_created_room_seats_its_creator_and_announces_each_newcomer_both_ways()
    {
        var h = new RoomHarness();
        var host = h.Connect();
        var created = h.Create(host, "arena", 4);
        Assert.Equal(RoomOp.Joined, created.Op);
        Assert.Equal(("arena", 4, 0, host.PlayerId, false), (created.Name, (int)created.Capacity, (int)created.Slot, created.PlayerId, created.Spectator));
        Assert.Equal(((ushort)60, (ushort)20), (created.TickRate, created.SnapshotRate));
        Assert.Equal(RoomLimits.ResumeTokenSize, created.ResumeToken.Length);
        Assert.Contains(created.ResumeToken, b => b != 0);

        var from = h.Mark;
        var guest = h.Connect();
        var (_, replies) = h.Ask(guest, (b, id) => RoomMessages.JoinRoom(b, id, created.RoomId, default, default, spectate: false));
        Assert.Equal([RoomOp.Joined, RoomOp.PlayerJoined], replies.Select(r => r.Op));
        Assert.Equal((0, host.PlayerId), (replies[1].Slot, replies[1].PlayerId));
        var announced = Assert.Single(h.Heard(host, from, RoomOp.PlayerJoined));
        Assert.Equal((1, guest.PlayerId), (announced.Slot, announced.PlayerId));

        var entry = h.Directory.Find(created.RoomId)!;
        Assert.Equal((2, 2), (entry.Players, entry.Occupied)); // the reservations the joins took are spent
        Assert.Equal(2, h.Counters[0].RoomJoins);
    }

    [Theory]
    [InlineData("")] // empty
    [InlineData("20202020")] // blank
    [InlineData("7461620968657265")] // "tab\there": a control character
    [InlineData("6869C285")] // "hi" and U+0085, a control character outside ASCII
    [InlineData("787878787878787878787878787878787878787878787878787878787878787878")] // 33 bytes
    [InlineData("C3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BCC3BC78")] // 16 x "ü" and "x": 33 bytes
    [InlineData("6869C328")] // not UTF-8
    [InlineData("E282")] // a truncated sequence
    public void Invalid_room_names_are_refused(string hex)
    {
        var h = new RoomHarness();
        var player = h.Connect();
        var answer = h.Create(player, Convert.FromHexString(hex), 4, isPrivate: false, []);
        Assert.Equal((RoomOp.Result, RoomStatus.InvalidName), (answer.Op, answer.Status));
        Assert.Equal(0, h.Directory.Count);
        Assert.Null(player.Room);
    }

    [Theory]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")] // 32 bytes
    [InlineData("üüüüüüüüüüüüüüüü")] // 32 bytes in 16 characters
    [InlineData("a")]
    [InlineData("Salle d'été 2")]
    public void Names_of_up_to_32_bytes_of_printable_UTF8_are_accepted(string name)
    {
        var h = new RoomHarness();
        var created = h.Create(h.Connect(), name, 4);
        Assert.Equal(RoomOp.Joined, created.Op);
        Assert.Equal(name, created.Name);
    }

    [Theory]
    [InlineData(0, RoomStatus.InvalidCapacity)]
    [InlineData(9, RoomStatus.InvalidCapacity)]
    [InlineData(255, RoomStatus.InvalidCapacity)]
    [InlineData(1, RoomStatus.Ok)]
    [InlineData(8, RoomStatus.Ok)]
    public void Capacity_is_one_to_the_configured_maximum(int capacity, RoomStatus expected)
    {
        var h = new RoomHarness(o => { o.MaxPlayersPerRoom = 8; o.DefaultRoomCapacity = 4; });
        var answer = h.Create(h.Connect(), "room", capacity);
        Assert.Equal(expected, answer.Op == RoomOp.Joined ? RoomStatus.Ok : answer.Status);
        Assert.Equal(expected == RoomStatus.Ok ? 1 : 0, h.Directory.Count);
    }

    [Fact]
    public void Names_are_unique_without_regard_to_case_until_the_room_closes()
    {
        var h = new RoomHarness(o => o.EmptyRoomGraceMs = 0);
        var (host, roomId) = h.Host("Arena");
        Assert.Equal(RoomStatus.NameTaken, h.Create(h.Connect(), "ARENA", 2).Status);
        Assert.Equal(RoomStatus.NameTaken, h.Create(h.Connect(), "arena", 2).Status);
        var joiner = h.Connect();
        Assert.Equal(roomId, h.JoinByName(joiner, "aReNa").RoomId);

        h.LeaveRoom(host);
        h.LeaveRoom(joiner);
        h.RunTimers();
        Assert.Null(h.Directory.Find(roomId));
        Assert.Equal(RoomOp.Joined, h.Create(h.Connect(), "ARENA", 2).Op);
    }

    [Fact]
    public void Unknown_rooms_are_not_found_by_id_or_name()
    {
        var h = new RoomHarness();
        h.Host("here");
        var player = h.Connect();
        Assert.Equal(RoomStatus.NotFound, h.Join(player, 999_999).Status);
        Assert.Equal(999_999u, h.Join(player, 999_999).RoomId);
        Assert.Equal(RoomStatus.NotFound, h.JoinByName(player, "there").Status);
        Assert.Null(player.Room);
    }

    [Fact]
    public void A_private_room_admits_only_with_its_password_and_is_never_listed()
    {
        var h = new RoomHarness();
        var host = h.Connect();
        var vault = h.Create(host, "vault", 4, isPrivate: true, password: "s3cret");
        Assert.True(vault.IsPrivate);
        var listing = h.Create(h.Connect(), "open", 4);

        var guest = h.Connect();
        foreach (var refused in new[] { h.Join(guest, vault.RoomId, "guess"), h.Join(guest, vault.RoomId), h.JoinByName(guest, "vault", "S3CRET") })
        {
            Assert.Equal((RoomStatus.WrongPassword, vault.RoomId), (refused.Status, refused.RoomId));
        }
        Assert.Null(guest.Room);
        Assert.Equal(3, h.Counters[0].RoomPasswordFailures);
        Assert.Equal(1, h.Directory.Find(vault.RoomId)!.Occupied); // a refused join reserves nothing

        var joined = h.JoinByName(guest, "vault", "s3cret");
        Assert.Equal((RoomOp.Joined, vault.RoomId, (byte)1), (joined.Op, joined.RoomId, joined.Slot));

        var list = h.List(h.Connect());
        Assert.Equal([listing.RoomId], list.Rooms.Select(r => r.Id));
        Assert.Equal(1, list.Total);
    }

    [Fact]
    public void A_public_room_with_a_password_is_listed_but_still_asks_for_it()
    {
        var h = new RoomHarness();
        var room = h.Create(h.Connect(), "locked", 4, password: "pw");
        var open = h.Create(h.Connect(), "open", 4);
        var list = h.List(h.Connect());
        Assert.Equal([(room.RoomId, false, true), (open.RoomId, false, false)], list.Rooms.Select(r => (r.Id, r.IsPrivate, r.HasPassword)));
        // Header (6 bytes), then id 4, name 1 + 6, players, capacity, spectators 2, flags: bit 1 is the password.
        Assert.Equal((0x02, 0x00), (list.Bytes[6 + 4 + 7 + 1 + 1 + 2], list.Bytes[^1]));
        Assert.Equal(RoomStatus.WrongPassword, h.Join(h.Connect(), room.RoomId).Status);
        Assert.Equal(RoomOp.Joined, h.Join(h.Connect(), room.RoomId, "pw").Op);
    }

    [Theory]
    [InlineData(65, false)] // longer than RoomLimits.MaxPasswordBytes
    [InlineData(4, true)] // not UTF-8
    public void Invalid_passwords_are_refused(int length, bool notUtf8)
    {
        var h = new RoomHarness();
        var password = Enumerable.Repeat((byte)'p', length).ToArray();
        if (notUtf8)
        {
            password[1] = 0xFF;
        }
        var answer = h.Create(h.Connect(), "vault"u8.ToArray(), 4, isPrivate: true, password);
        Assert.Equal(RoomStatus.InvalidPassword, answer.Status);
        Assert.Equal(0, h.Directory.Count);
    }

    [Fact]
    public void The_room_count_is_limited()
    {
        var h = new RoomHarness(o => o.MaxRooms = 2);
        h.Host("one");
        h.Host("two");
        Assert.Equal(RoomStatus.TooManyRooms, h.Create(h.Connect(), "three", 4).Status);
        Assert.Equal(RoomStatus.TooManyRooms, h.QuickMatch(h.Connect(), 2).Status); // no room of two is open, and none may open
    }

    [Fact]
    public void Listing_pages_by_id_filters_by_name_and_can_show_only_joinable_rooms()
    {
        var h = new RoomHarness();
        var ids = Enumerable.Range(0, 5).Select(i => h.Host($"Room-{i}", capacity: 2).RoomId).ToList();
        var lobby = h.Host("lobby", capacity: 3).RoomId;
        h.Create(h.Connect(), "hidden room", 2, isPrivate: true);
        h.Fill(ids[1], 1); // full
        h.Spectate(h.Connect(), ids[2]);
        var asker = h.Connect();

        var first = h.List(asker, page: 0, pageSize: 2);
        Assert.Equal(6, first.Total);
        Assert.Equal(ids.Take(2), first.Rooms.Select(r => r.Id));
        var full = first.Rooms[1];
        Assert.Equal(("Room-1", 2, 2, 0, false), (full.Name, full.Players, full.Capacity, full.Spectators, full.IsPrivate));
        Assert.Equal([ids[4], lobby], h.List(asker, page: 2, pageSize: 2).Rooms.Select(r => r.Id));
        var beyond = h.List(asker, page: 3, pageSize: 2);
        Assert.Equal((6, 0), (beyond.Total, beyond.Rooms.Count));
        Assert.Single(h.List(asker, pageSize: 0).Rooms); // at least one a page

        var spectated = Assert.Single(h.List(asker, filter: "room-2").Rooms);
        Assert.Equal((ids[2], 1, 1), (spectated.Id, spectated.Players, spectated.Spectators));
        Assert.Equal(5, h.List(asker, filter: "ROOM").Total); // case-insensitive, and the private one is not among them
        Assert.Equal(0, h.List(asker, filter: "nothing like it").Total);

        var joinable = h.List(asker, onlyJoinable: true);
        Assert.Equal(5, joinable.Total);
        Assert.DoesNotContain(ids[1], joinable.Rooms.Select(r => r.Id));
    }

    [Fact]
    public void Quick_match_fills_the_fullest_open_room_first_and_opens_a_new_one_when_all_are_full()
    {
        var h = new RoomHarness();
        var one = h.Host("one", capacity: 4).RoomId;
        var two = h.Host("two", capacity: 4).RoomId;
        h.Fill(two, 1);
        var secret = h.Create(h.Connect(), "secret", 4, isPrivate: true).RoomId;
        var locked = h.Create(h.Connect(), "locked", 4, password: "pw").RoomId;
        h.Fill(h.Host("eight", capacity: 8).RoomId, 2); // the fullest, but of another capacity

        var matched = Enumerable.Range(0, 5).Select(_ => h.QuickMatch(h.Connect(), 4)).ToList();
        Assert.All(matched, m => Assert.Equal(RoomOp.Joined, m.Op));
        Assert.Equal([two, two, one, one, one], matched.Select(m => m.RoomId));

        // Both public rooms of four are full; the private and the password room still have room, and are never chosen.
        var opened = h.QuickMatch(h.Connect(), 4);
        Assert.Equal(RoomOp.Joined, opened.Op);
        Assert.DoesNotContain(opened.RoomId, new[] { one, two, secret, locked });
        Assert.StartsWith("match-", opened.Name);
        Assert.Equal((4, 0), ((int)opened.Capacity, (int)opened.Slot));
        Assert.Equal(1, h.Directory.Find(secret)!.Players);
        Assert.Equal(1, h.Directory.Find(locked)!.Players);
    }

    [Fact]
    public void Ten_players_quick_matching_into_rooms_of_four_make_two_full_rooms_and_one_of_two()
    {
        var h = new RoomHarness();
        var players = Enumerable.Range(0, 10).Select(_ => h.Connect()).ToList();
        var rooms = players.Select(p => h.QuickMatch(p, 4).RoomId).ToList();
        Assert.Equal([4, 4, 2], rooms.GroupBy(r => r).Select(g => g.Count()).OrderDescending().ToArray());
        var open = Assert.Single(h.List(h.Connect(), onlyJoinable: true).Rooms);
        Assert.Equal(2, open.Players);
        // Every player heard of every other player in its room.
        for (var i = 0; i < players.Count; i++)
        {
            Assert.Equal(rooms.Count(r => r == rooms[i]) - 1, h.Heard(players[i], 0, RoomOp.PlayerJoined).Count);
        }
    }

    [Fact]
    public void Quick_match_uses_the_default_capacity_and_refuses_one_over_the_maximum()
    {
        var h = new RoomHarness(o => { o.MaxPlayersPerRoom = 8; o.DefaultRoomCapacity = 6; });
        Assert.Equal(6, h.QuickMatch(h.Connect()).Capacity);
        Assert.Equal(RoomStatus.InvalidCapacity, h.QuickMatch(h.Connect(), 9).Status);
    }

    [Fact]
    public void Quick_match_opens_a_new_room_on_the_least_loaded_shard_and_moves_the_player_there()
    {
        var h = new RoomHarness(shards: 2);
        h.Shards.Mailbox(0).SessionAdded(); // the player's own session: shard 0 is the busier
        var player = h.Connect(shard: 0);

        var (requestId, _, move) = h.AskToMove(player, (b, id) => RoomMessages.QuickMatch(b, id, 4));
        Assert.Equal(1, move.Shard);
        Assert.False(move.Join.Spectate);
        var entry = h.Directory.Find(move.Join.RoomId)!;
        Assert.Equal((1, 4), (entry.Shard, entry.Capacity));
        Assert.Equal((0, 1), (entry.Players, entry.Occupied)); // its place is held until it arrives
        Assert.Empty(h.Services[0].Rooms.ToArray());

        var arrived = h.Arrive(move);
        var joined = Assert.Single(arrived, r => r.IsAnswer);
        Assert.Equal((RoomOp.Joined, requestId, entry.Id, (byte)0), (joined.Op, joined.RequestId, joined.RoomId, joined.Slot));
        Assert.Equal((1, 1), (entry.Players, entry.Occupied));
        Assert.Same(h.Services[1].Rooms[0], player.Room);
    }

    [Fact]
    public void Quick_match_keeps_to_the_players_own_shard_when_it_is_the_least_loaded()
    {
        var h = new RoomHarness(shards: 2);
        h.Shards.Mailbox(1).SessionAdded();
        var joined = h.QuickMatch(h.Connect(shard: 0), 4);
        Assert.Equal(RoomOp.Joined, joined.Op);
        Assert.Equal(0, h.Directory.Find(joined.RoomId)!.Shard);
        Assert.Empty(h.Log.Moves);
    }

    [Fact]
    public void Joining_a_room_on_another_shard_leaves_the_current_room_and_requests_a_move()
    {
        var h = new RoomHarness(shards: 2);
        var (far, farRoom) = h.Host("elsewhere", shard: 1);
        var (mover, home) = h.Host("home", shard: 0);
        var friend = h.Fill(home, 1)[0];
        var from = h.Mark;

        var (requestId, replies, move) = h.AskToMove(mover, (b, id) => RoomMessages.JoinRoom(b, id, farRoom, default, default, spectate: false));
        var left = Assert.Single(replies);
        Assert.Equal((RoomOp.Left, home, RoomLeaveReason.Moved), (left.Op, left.RoomId, left.LeaveReason));
        var heard = Assert.Single(h.Heard(friend, from, RoomOp.PlayerLeft));
        Assert.Equal((0, mover.PlayerId, RoomLeaveReason.Moved), (heard.Slot, heard.PlayerId, heard.LeaveReason));
        Assert.Equal((1, farRoom), (move.Shard, move.Join.RoomId));
        var entry = h.Directory.Find(farRoom)!;
        Assert.Equal((1, 2), (entry.Players, entry.Occupied));

        from = h.Mark;
        var arrived = h.Arrive(move);
        Assert.Equal([RoomOp.Joined, RoomOp.PlayerJoined], arrived.Select(r => r.Op));
        Assert.Equal((requestId, farRoom, (byte)1), (arrived[0].RequestId, arrived[0].RoomId, arrived[0].Slot));
        Assert.Equal(far.PlayerId, arrived[1].PlayerId);
        Assert.Equal(mover.PlayerId, Assert.Single(h.Heard(far, from, RoomOp.PlayerJoined)).PlayerId);
        Assert.Equal((2, 2), (entry.Players, entry.Occupied));
    }

    [Fact]
    public void A_move_that_cannot_be_queued_gives_back_the_reserved_place_and_answers_busy()
    {
        var h = new RoomHarness(shards: 2);
        var (_, farRoom) = h.Host("elsewhere", capacity: 2, shard: 1);
        var mover = h.Connect(shard: 0);
        var (requestId, _, move) = h.AskToMove(mover, (b, id) => RoomMessages.JoinRoom(b, id, farRoom, default, default, spectate: false));
        var entry = h.Directory.Find(farRoom)!;
        Assert.Equal(2, entry.Occupied);
        Assert.Equal(RoomStatus.Full, h.Join(h.Connect(shard: 1), farRoom).Status); // the place is held

        var from = h.Mark;
        h.Services[0].MoveFailed(mover, move.Join, h.NowUs);
        var busy = Assert.Single(h.Log.Reliable(mover, from));
        Assert.Equal((RoomOp.Result, RoomStatus.Busy, requestId, farRoom), (busy.Op, busy.Status, busy.RequestId, busy.RoomId));
        Assert.Equal(1, entry.Occupied);
        Assert.Equal(RoomOp.Joined, h.Join(h.Connect(shard: 1), farRoom).Op);
    }

    [Fact]
    public void A_session_arriving_for_a_room_that_is_gone_is_told_it_was_not_found()
    {
        var h = new RoomHarness(shards: 2);
        var mover = h.Connect(shard: 0);
        var answer = Assert.Single(h.Arrive(new RequestedMove(mover, 1, RoomJoin.Player(4242, 7))));
        Assert.Equal((RoomStatus.NotFound, (ushort)7, 4242u), (answer.Status, answer.RequestId, answer.RoomId));
        Assert.Null(mover.Room);
    }

    [Fact]
    public void Joining_the_room_one_is_in_again_answers_ok_and_changes_nothing()
    {
        var h = new RoomHarness();
        var (host, roomId) = h.Host("same");
        var from = h.Mark;
        var again = h.Join(host, roomId);
        Assert.Equal((RoomOp.Result, RoomStatus.Ok, roomId), (again.Op, again.Status, again.RoomId));
        Assert.Equal(0, host.Slot);
        Assert.Single(h.Log.Sent.Skip(from));
    }

    [Fact]
    public void A_full_room_refuses_players()
    {
        var h = new RoomHarness();
        var (_, roomId) = h.Host("pair", capacity: 2);
        h.Fill(roomId, 1);
        var refused = h.Join(h.Connect(), roomId);
        Assert.Equal((RoomStatus.Full, roomId), (refused.Status, refused.RoomId));
    }

    [Fact]
    public void A_timed_out_players_slot_is_kept_and_the_resume_token_gives_it_back_once()
    {
        var h = new RoomHarness(o => o.ReconnectWindowMs = 20_000);
        var (host, roomId) = h.Host("keep", capacity: 2);
        var dropped = h.Connect();
        var seat = h.Join(dropped, roomId);
        var from = h.Mark;

        h.TimeOut(dropped);
        var left = Assert.Single(h.Heard(host, from, RoomOp.PlayerLeft));
        Assert.Equal((1, dropped.PlayerId, RoomLeaveReason.TimedOut), (left.Slot, left.PlayerId, left.LeaveReason));
        Assert.Empty(h.Log.Reliable(dropped, from)); // its connection is gone
        var entry = h.Directory.Find(roomId)!;
        Assert.Equal(2, entry.Players); // the kept slot counts as taken
        Assert.Equal(RoomStatus.Full, h.Join(h.Connect(), roomId).Status);
        Assert.Empty(h.List(host, onlyJoinable: true).Rooms);
        Assert.NotEqual(roomId, h.QuickMatch(h.Connect(), 2).RoomId);

        h.Advance(TimeSpan.FromSeconds(10));
        var back = h.Connect();
        Assert.NotEqual(dropped.PlayerId, back.PlayerId);
        from = h.Mark;
        var resumed = h.Resume(back, seat.ResumeToken);
        Assert.Equal((RoomOp.Joined, roomId, seat.Slot, dropped.PlayerId), (resumed.Op, resumed.RoomId, resumed.Slot, resumed.PlayerId));
        Assert.Equal(dropped.PlayerId, back.PlayerId);
        Assert.NotEqual(seat.ResumeToken, resumed.ResumeToken);
        var rejoined = Assert.Single(h.Heard(host, from, RoomOp.PlayerJoined));
        Assert.Equal((seat.Slot, dropped.PlayerId), (rejoined.Slot, rejoined.PlayerId));
        Assert.Equal(1, h.Counters[0].RoomResumes);

        Assert.Equal(RoomStatus.InvalidToken, h.Resume(h.Connect(), seat.ResumeToken).Status); // once
        Assert.Equal(RoomStatus.InvalidToken, h.Resume(h.Connect(), new byte[RoomLimits.ResumeTokenSize]).Status);
    }

    /// <summary>A room of two whose guest timed out, its slot kept; and what the guest was told when it joined (its resume token).</summary>
    private static (Session Host, uint RoomId, Session Dropped, RoomReply Seat) DroppedGuest(RoomHarness h, int shard = 0)
    {
        var (host, roomId) = h.Host("keep", capacity: 2, shard);
        var dropped = h.Connect(shard);
        var seat = h.Join(dropped, roomId);
        h.TimeOut(dropped);
        return (host, roomId, dropped, seat);
    }

    [Fact]
    public void A_kept_slot_expires_after_the_reconnect_window()
    {
        var h = new RoomHarness(o => o.ReconnectWindowMs = 5_000);
        var (_, roomId, _, seat) = DroppedGuest(h);
        var token = seat.ResumeToken;

        h.Advance(TimeSpan.FromMilliseconds(4_999));
        h.RunTimers();
        Assert.Equal(RoomStatus.Full, h.Join(h.Connect(), roomId).Status);

        h.Advance(TimeSpan.FromMilliseconds(1));
        h.RunTimers();
        Assert.Equal(1, h.Directory.Find(roomId)!.Players);
        Assert.Equal(RoomStatus.InvalidToken, h.Resume(h.Connect(), token).Status);
        Assert.Equal(RoomOp.Joined, h.Join(h.Connect(), roomId).Op);
    }

    [Fact]
    public void The_room_hears_when_a_kept_slot_expires()
    {
        var h = new RoomHarness(o => o.ReconnectWindowMs = 5_000);
        var (host, _, dropped, _) = DroppedGuest(h);
        var from = h.Mark;
        h.Advance(TimeSpan.FromSeconds(5));
        h.RunTimers();
        var expired = Assert.Single(h.Heard(host, from, RoomOp.PlayerLeft));
        Assert.Equal((1, dropped.PlayerId, RoomLeaveReason.ReconnectExpired), (expired.Slot, expired.PlayerId, expired.LeaveReason));
    }

    [Fact]
    public void A_resume_token_for_a_room_on_another_shard_moves_the_session_there()
    {
        var h = new RoomHarness(o => o.ReconnectWindowMs = 20_000, shards: 2);
        var (_, _, dropped, seat) = DroppedGuest(h, shard: 1);

        var back = h.Connect(shard: 0);
        var (_, _, move) = h.AskToMove(back, (b, id) => RoomMessages.Resume(b, id, seat.ResumeToken));
        Assert.True(move.Join.Resume);
        var resumed = Assert.Single(h.Arrive(move), r => r.IsAnswer);
        Assert.Equal((RoomOp.Joined, seat.Slot, dropped.PlayerId), (resumed.Op, resumed.Slot, resumed.PlayerId));
    }

    [Fact]
    public void Spectators_take_no_slot_hear_the_room_and_are_limited_in_number()
    {
        var h = new RoomHarness(o => o.MaxSpectatorsPerRoom = 1);
        var (host, guest, roomId) = h.HostWithGuest("show", capacity: 2);
        var from = h.Mark;

        var watcher = h.Connect();
        var (_, replies) = h.Ask(watcher, (b, id) => RoomMessages.JoinRoom(b, id, roomId, default, default, spectate: true));
        Assert.Equal([RoomOp.Joined, RoomOp.PlayerJoined, RoomOp.PlayerJoined], replies.Select(r => r.Op));
        var watching = replies[0];
        Assert.True(watching.Spectator);
        Assert.Equal(RoomLimits.NoSlot, watching.Slot);
        Assert.All(watching.ResumeToken, b => Assert.Equal(0, b)); // nothing to resume
        Assert.Equal([host.PlayerId, guest.PlayerId], replies.Skip(1).Select(r => r.PlayerId));
        Assert.Empty(h.Heard(host, from, RoomOp.PlayerJoined)); // spectators are not announced
        Assert.True(watcher.IsSpectator);

        var entry = h.Directory.Find(roomId)!;
        Assert.Equal((2, 1), (entry.Players, entry.Spectators));
        Assert.Equal(RoomStatus.Full, h.Spectate(h.Connect(), roomId).Status);
        Assert.Equal(RoomStatus.Full, h.Join(h.Connect(), roomId).Status);

        h.Chat(host, "gl hf");
        Assert.Equal("gl hf", Assert.Single(h.Heard(watcher, from, RoomOp.ChatMessage)).Text);
        var listed = Assert.Single(h.List(host).Rooms);
        Assert.Equal((2, 1), (listed.Players, listed.Spectators));

        Assert.Equal(RoomStatus.Ok, h.LeaveRoom(watcher).Status);
        Assert.Equal((2, 0), (entry.Players, entry.Spectators));
        Assert.Equal(RoomOp.Joined, h.Spectate(h.Connect(), roomId).Op);
    }

    [Fact]
    public void Leaving_answers_ok_tells_the_leaver_and_the_others_and_frees_the_slot()
    {
        var h = new RoomHarness();
        var (host, guest, roomId) = h.HostWithGuest("door");
        var from = h.Mark;

        var (requestId, replies) = h.Ask(guest, (b, id) => RoomMessages.LeaveRoom(b, id));
        Assert.Equal([RoomOp.Left, RoomOp.Result], replies.Select(r => r.Op));
        Assert.Equal((roomId, RoomLeaveReason.Requested), (replies[0].RoomId, replies[0].LeaveReason));
        Assert.Equal((RoomStatus.Ok, requestId, roomId), (replies[1].Status, replies[1].RequestId, replies[1].RoomId));
        var heard = Assert.Single(h.Heard(host, from, RoomOp.PlayerLeft));
        Assert.Equal((1, guest.PlayerId, RoomLeaveReason.Requested), (heard.Slot, heard.PlayerId, heard.LeaveReason));
        Assert.Null(guest.Room);
        Assert.Equal(1, h.Directory.Find(roomId)!.Players);

        Assert.Equal(RoomStatus.NotInRoom, h.LeaveRoom(guest).Status);
        Assert.Equal(1, h.Join(h.Connect(), roomId).Slot);
    }

    [Fact]
    public void Every_room_a_session_enters_has_a_new_epoch_and_creating_a_room_while_in_one_leaves_it_first()
    {
        var h = new RoomHarness();
        var player = h.Connect();
        var first = h.Create(player, "first", 4);
        Assert.Equal((RoomOp.Joined, (byte)1, player.RoomEpoch), (first.Op, first.RoomEpoch, (byte)1));

        // Created while in a room: Left(old room, moved), then Joined; no Result.
        var (_, replies) = h.Ask(player, (b, id) => RoomMessages.CreateRoom(b, id, "second"u8, 4, isPrivate: false, default));
        Assert.Equal([RoomOp.Left, RoomOp.Joined], replies.Select(r => r.Op));
        Assert.Equal((first.RoomId, RoomLeaveReason.Moved), (replies[0].RoomId, replies[0].LeaveReason));
        Assert.Equal(2, replies[1].RoomEpoch);

        Assert.Equal(RoomStatus.Ok, h.LeaveRoom(player).Status);
        Assert.Equal(3, h.Spectate(player, first.RoomId).RoomEpoch); // the same room again is a new epoch too
        Assert.Equal(4, h.Join(player, first.RoomId).RoomEpoch);
        Assert.Equal(4, player.RoomEpoch);
        Assert.Equal(1, h.Create(h.Connect(), "third", 2).RoomEpoch); // counted per session
    }

    [Fact]
    public void Chat_is_cleaned_of_control_characters_and_relayed_to_everyone_in_the_room()
    {
        var h = new RoomHarness();
        var (host, guest, roomId) = h.HostWithGuest("talk");
        var from = h.Mark;

        var echoed = Assert.Single(h.Chat(host, "bell\u0007 and\r\nnewline ok"));
        Assert.Equal((RoomOp.ChatMessage, host.PlayerId, "bell andnewline ok"), (echoed.Op, echoed.PlayerId, echoed.Text));
        h.Chat(host, "héllo wörld");
        Assert.Equal(["bell andnewline ok", "héllo wörld"], h.Heard(guest, from, RoomOp.ChatMessage).Select(m => m.Text));

        var longest = new string('a', RoomLimits.MaxChatBytes);
        Assert.Equal(longest, Assert.Single(h.Chat(guest, longest)).Text);
    }

    [Theory]
    [InlineData("\r\n\u0007")] // nothing printable left
    [InlineData("   ")]
    [InlineData(null)] // not UTF-8
    public void Chat_with_nothing_printable_is_refused_as_an_invalid_message(string? text)
    {
        var h = new RoomHarness();
        var (host, guest, roomId) = h.HostWithGuest("talk");
        var from = h.Mark;
        var refused = Assert.Single(h.Chat(host, text is null ? [0x68, 0xC3, 0x28] : Encoding.UTF8.GetBytes(text)));
        Assert.Equal((RoomOp.Result, RoomStatus.InvalidMessage, (ushort)0, roomId), (refused.Op, refused.Status, refused.RequestId, refused.RoomId));
        Assert.Empty(h.Heard(guest, from, RoomOp.ChatMessage));
        Assert.Equal(1, h.Counters[0].ChatRejected);
    }

    [Fact]
    public void Chat_over_the_size_limit_is_malformed_and_chat_outside_a_room_is_refused()
    {
        var h = new RoomHarness();
        var (host, guest, roomId) = h.HostWithGuest("talk");
        var from = h.Mark;
        var tooLong = Assert.Single(h.Chat(host, new string('a', RoomLimits.MaxChatBytes + 1)));
        Assert.Equal((RoomStatus.Malformed, (ushort)0), (tooLong.Status, tooLong.RequestId));
        Assert.Empty(h.Heard(guest, from, RoomOp.ChatMessage));

        var outside = Assert.Single(h.Chat(h.Connect(), "anyone?"));
        Assert.Equal(RoomStatus.NotInRoom, outside.Status);
    }

    [Fact]
    public void Chat_is_rate_limited_per_player_with_a_burst_refilled_as_time_passes()
    {
        var h = new RoomHarness(o => { o.ChatBurst = 3; o.ChatPerSecond = 1; });
        var (host, guest, roomId) = h.HostWithGuest("talk");
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(RoomOp.ChatMessage, Assert.Single(h.Chat(host, $"line {i}")).Op));
        var limited = Assert.Single(h.Chat(host, "over the burst"));
        Assert.Equal((RoomStatus.RateLimited, roomId), (limited.Status, limited.RoomId));
        Assert.Equal(RoomOp.ChatMessage, Assert.Single(h.Chat(guest, "the other player has its own allowance")).Op);

        h.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(RoomStatus.RateLimited, Assert.Single(h.Chat(host, "too soon")).Status);
        h.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal(RoomOp.ChatMessage, Assert.Single(h.Chat(host, "one more a second")).Op);
        Assert.Equal(RoomStatus.RateLimited, Assert.Single(h.Chat(host, "and no more")).Status);

        h.Advance(TimeSpan.FromMinutes(1)); // refills up to the burst, not beyond
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(RoomOp.ChatMessage, Assert.Single(h.Chat(host, $"again {i}")).Op));
        Assert.Equal(RoomStatus.RateLimited, Assert.Single(h.Chat(host, "over")).Status);
        Assert.Equal(4, h.Counters[0].ChatRateLimited);
    }

    [Fact]
    public void An_empty_room_closes_after_the_grace_period()
    {
        var h = new RoomHarness(o => o.EmptyRoomGraceMs = 200);
        var (host, roomId) = h.Host("brief");
        Assert.Equal(1, h.Services[0].RoomCount);
        h.LeaveRoom(host);

        h.Advance(TimeSpan.FromMilliseconds(199));
        h.RunTimers();
        Assert.Equal(1, h.Services[0].RoomCount);
        Assert.Equal(RoomOp.Joined, h.Join(host, roomId).Op); // still there, and joining it starts the grace again
        h.LeaveRoom(host);

        h.Advance(TimeSpan.FromMilliseconds(200));
        h.RunTimers();
        Assert.Equal(0, h.Services[0].RoomCount);
        Assert.Equal(0, h.Directory.Count);
        Assert.Equal(1, h.Counters[0].RoomsClosed);
        Assert.Equal(RoomStatus.NotFound, h.Join(host, roomId).Status);
        Assert.Equal(RoomStatus.NotFound, h.JoinByName(host, "brief").Status);
    }

    [Fact]
    public void A_room_stays_open_while_a_player_is_on_the_way_to_it()
    {
        var h = new RoomHarness(o => o.EmptyRoomGraceMs = 200, shards: 2);
        var (host, roomId) = h.Host("destination", shard: 1);
        h.LeaveRoom(host);
        var (_, _, move) = h.AskToMove(h.Connect(shard: 0), (b, id) => RoomMessages.JoinRoom(b, id, roomId, default, default, spectate: false));

        h.Advance(TimeSpan.FromSeconds(1));
        h.RunTimers();
        Assert.Equal(1, h.Services[1].RoomCount);
        Assert.Equal(RoomOp.Joined, Assert.Single(h.Arrive(move), r => r.IsAnswer).Op);

        h.LeaveRoom(move.Session);
        h.Advance(TimeSpan.FromMilliseconds(200));
        h.RunTimers();
        Assert.Equal(0, h.Services[1].RoomCount);
    }

    [Fact]
    public void A_kept_slot_holds_the_room_open_until_it_expires_and_the_grace_period_passes()
    {
        var h = new RoomHarness(o => { o.EmptyRoomGraceMs = 200; o.ReconnectWindowMs = 1_000; });
        var (host, _) = h.Host("held");
        h.TimeOut(host);
        h.Advance(TimeSpan.FromMilliseconds(1_000));
        h.RunTimers(); // the slot expires now; the room is empty from now on
        Assert.Equal(1, h.Services[0].RoomCount);
        h.Advance(TimeSpan.FromMilliseconds(199));
        h.RunTimers();
        Assert.Equal(1, h.Services[0].RoomCount);
        h.Advance(TimeSpan.FromMilliseconds(1));
        h.RunTimers();
        Assert.Equal(0, h.Services[0].RoomCount);
    }

    [Fact]
    public void A_room_opened_for_a_move_that_failed_still_closes_after_the_grace_period()
    {
        var h = new RoomHarness(o => o.EmptyRoomGraceMs = 200, shards: 2);
        h.Shards.Mailbox(0).SessionAdded();
        var player = h.Connect(shard: 0);
        var (_, _, move) = h.AskToMove(player, (b, id) => RoomMessages.QuickMatch(b, id, 4));
        h.Services[0].MoveFailed(player, move.Join, h.NowUs);
        h.RunTimers(); // the room's shard opens it, empty from now
        Assert.NotNull(h.Directory.Find(move.Join.RoomId));
        h.Advance(TimeSpan.FromSeconds(1));
        h.RunTimers();
        Assert.Null(h.Directory.Find(move.Join.RoomId));
    }

    [Fact]
    public void A_closed_room_is_reused_for_the_next_room_of_its_size_and_starts_clean()
    {
        var h = new RoomHarness(o => o.EmptyRoomGraceMs = 0);
        for (var round = 0; round < 4; round++)
        {
            var (host, roomId) = h.Host($"round {round}", capacity: 4);
            var guest = h.Fill(roomId, 1)[0];
            var room = h.Services[0].Rooms[0];
            Assert.Equal((roomId, 2, 0, 1), (room.Id, room.PlayerCount, (int)host.Slot, (int)guest.Slot));
            Assert.Null(room.History.Latest);
            h.LeaveRoom(host);
            h.LeaveRoom(guest);
            h.RunTimers();
            Assert.Equal(0, h.Services[0].RoomCount);
        }
        Assert.Equal(1, h.Services[0].RoomsAllocated);
    }

    [Fact]
    public void Requests_over_the_reliable_rate_are_answered_rate_limited_with_their_request_id()
    {
        var h = new RoomHarness(o => o.ReliablePerSecondPerSession = 2); // a burst of 4
        var player = h.Connect();
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal(RoomOp.RoomList, h.List(player).Op));
        var (requestId, replies) = h.Ask(player, (b, id) => RoomMessages.QuickMatch(b, id, 4));
        var limited = Assert.Single(replies);
        Assert.Equal((RoomOp.Result, RoomStatus.RateLimited, requestId), (limited.Op, limited.Status, limited.RequestId));
        Assert.Null(player.Room);
        Assert.Empty(h.Chat(player, "chat carries no request id: nothing to answer"));
        Assert.Equal(2, h.Counters[0].Drops(DropReason.SessionRateLimited));
        Assert.Equal(RoomOp.RoomList, h.List(h.Connect()).Op); // per session

        h.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(RoomOp.RoomList, h.List(player).Op);
        Assert.Equal(RoomStatus.RateLimited, h.List(player).Status);
    }

    [Theory]
    [InlineData("012A00")] // create, cut after the request id
    [InlineData("012A00056172656E610400000000")] // create with two bytes too many
    [InlineData("072A000102")] // resume with a short token
    [InlineData("502A00")] // a client op nobody knows
    [InlineData("812A000000000000")] // a server's result, sent by the client
    public void Malformed_requests_are_answered_malformed_with_their_request_id(string hex)
    {
        var h = new RoomHarness();
        var player = h.Connect();
        var answer = Assert.Single(h.Send(player, Convert.FromHexString(hex)));
        Assert.Equal((RoomOp.Result, RoomStatus.Malformed, (ushort)42), (answer.Op, answer.Status, answer.RequestId));
        Assert.Equal(1, h.Counters[0].Drops(DropReason.MalformedMessage));
        Assert.Equal(0, h.Counters[0].RoomRequests);
        Assert.Null(player.Room);
    }

    [Fact]
    public void An_empty_message_is_dropped_without_an_answer()
    {
        var h = new RoomHarness();
        Assert.Empty(h.Send(h.Connect(), []));
        Assert.Equal(1, h.Counters[0].Drops(DropReason.MalformedMessage));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_games_own_messages_are_echoed_only_when_asked(bool echo)
    {
        var h = new RoomHarness(o => o.Echo = echo);
        byte[] message = [(byte)RoomOp.Application, 1, 2, 3];
        var replies = h.Send(h.Connect(), message);
        Assert.Equal(echo ? 1 : 0, replies.Count);
        Assert.All(replies, r => Assert.Equal(message, r.Bytes));
    }
}
