using Engine.Protocol.Rooms;
using Engine.Protocol.Simulation;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Simulation;
using Engine.Tests.Sessions;
using Xunit;

namespace Engine.Tests.Rooms;

/// <summary>A <see cref="Room"/> on its own: it seats, keeps, resumes and expires its slots, and keeps the directory's counts in step.</summary>
public class RoomTests
{
    private const long Now = 100_000_000;
    private const long KeepUs = 20_000_000;

    private readonly RoomDirectory _directory = new(maxRooms: 16);
    private uint _nextPlayerId;

    private Room NewRoom(int capacity = 3)
    {
        Assert.Equal(RoomStatus.Ok, _directory.TryCreate($"room {_directory.Count}", 0, capacity, false, null, out var entry));
        return new Room(entry!, new MovementArenaMode(capacity, ArenaSettings.Default));
    }

    private Session NewSession() => TestSessions.Open(++_nextPlayerId, Now);

    /// <summary>A new player seated in <paramref name="room"/>.</summary>
    private Session Seated(Room room)
    {
        var session = NewSession();
        Assert.NotEqual(-1, room.Seat(session));
        return session;
    }

    [Fact]
    public void Players_take_the_first_free_slots_each_with_a_fresh_resume_token_until_the_room_is_full()
    {
        var room = NewRoom(capacity: 3);
        var players = Enumerable.Range(0, 3).Select(_ => NewSession()).ToList();
        Assert.Equal([0, 1, 2], players.Select(room.Seat));
        Assert.Equal(-1, room.Seat(NewSession()));

        Assert.All(players, p => Assert.Same(room, p.Room));
        Assert.Equal(3, players.Select(p => Convert.ToHexString(p.ResumeToken)).Distinct().Count());
        Assert.Equal((3, 3), (room.PlayerCount, room.Entry.Players));
        Assert.Equal(MovementArenaMode.SpawnState(2, ArenaSettings.Default), room.Mode.PlayerStates[2]); // spawned
        Assert.NotNull(players[0].View);
        Assert.All(players, p => Assert.Equal(3, p.Priority.Length)); // with the view: a crowded snapshot allocates nothing
        Assert.Equal(-1, room.EmptySinceUs);
    }

    [Fact]
    public void A_player_who_leaves_frees_the_slot_for_the_next()
    {
        var room = NewRoom();
        var first = Seated(room);
        Seated(room);

        Assert.Equal(0, room.Leave(first, Now, keepSlotUs: 0, _directory));
        Assert.Null(first.Room);
        Assert.Equal(RoomLimits.NoSlot, first.Slot);
        Assert.Equal((1, 1), (room.PlayerCount, room.Entry.Players));
        Assert.Equal(default, room.Mode.PlayerStates[0]);
        Assert.Equal(0, room.Seat(NewSession()));
    }

    [Fact]
    public void A_kept_slot_counts_as_taken_and_only_its_token_takes_it_back_once()
    {
        var room = NewRoom(capacity: 2);
        var dropped = Seated(room);
        Seated(room);
        var token = dropped.ResumeToken.ToArray();

        Assert.Equal(0, room.Leave(dropped, Now, KeepUs, _directory));
        Assert.Equal((1, 2), (room.PlayerCount, room.Entry.Players));
        Assert.Same(room.Entry, _directory.FindByResumeToken(token));
        Assert.Equal(-1, room.Seat(NewSession()));
        Assert.False(room.IsEmpty);

        var back = NewSession();
        var wrong = token.ToArray();
        wrong[0] ^= 1;
        Assert.Equal(-1, room.Resume(back, wrong, _directory));
        Assert.Equal(0, room.Resume(back, token, _directory));
        Assert.Equal(dropped.PlayerId, back.PlayerId);
        Assert.NotEqual(token, back.ResumeToken);
        Assert.Null(_directory.FindByResumeToken(token));
        Assert.Equal(-1, room.Resume(NewSession(), token, _directory));
        Assert.Equal((2, 2), (room.PlayerCount, room.Entry.Players));
    }

    [Fact]
    public void A_kept_slot_is_freed_when_the_window_closes()
    {
        var room = NewRoom(capacity: 1);
        var dropped = Seated(room);
        var token = dropped.ResumeToken.ToArray();
        room.Leave(dropped, Now, KeepUs, _directory);
        Assert.Equal(-1, room.EmptySinceUs); // the kept slot is still in use

        room.ExpireKeptSlots(new RecordingOutput(new OutputLog()), Now + KeepUs - 1, _directory);
        Assert.Equal(1, room.Entry.Players);
        room.ExpireKeptSlots(new RecordingOutput(new OutputLog()), Now + KeepUs, _directory);
        Assert.Equal(0, room.Entry.Players);
        Assert.True(room.IsEmpty);
        Assert.Equal(Now + KeepUs, room.EmptySinceUs);
        Assert.Null(_directory.FindByResumeToken(token));
        Assert.Equal(-1, room.Resume(NewSession(), token, _directory));
        Assert.Equal(0, room.Seat(NewSession()));
    }

    [Fact]
    public void A_room_may_close_only_when_it_stayed_empty_for_the_grace_period_with_nobody_on_the_way()
    {
        const long grace = 1_000_000;
        var room = NewRoom();
        var player = Seated(room);
        Assert.False(room.CanClose(Now + (10 * grace), grace));

        room.Leave(player, Now, 0, _directory);
        Assert.Equal(Now, room.EmptySinceUs);
        Assert.False(room.CanClose(Now + grace - 1, grace));
        Assert.True(room.CanClose(Now + grace, grace));

        Assert.True(room.Entry.TryReserve()); // a player on the way from another shard
        Assert.False(room.CanClose(Now + grace, grace));
        room.Entry.ReleaseReservation();

        var watcher = NewSession();
        room.AddSpectator(watcher);
        Assert.False(room.CanClose(Now + grace, grace));
        room.Leave(watcher, Now + grace, 0, _directory);
        Assert.False(room.CanClose(Now + grace, grace)); // empty again from now
        Assert.True(room.CanClose(Now + (2 * grace), grace));
    }

    [Fact]
    public void Spectators_take_no_slot_and_are_counted_apart()
    {
        var room = NewRoom(capacity: 1);
        room.Seat(NewSession());
        var watcher = NewSession();
        room.AddSpectator(watcher);
        Assert.True(watcher.IsSpectator);
        Assert.Equal(RoomLimits.NoSlot, watcher.Slot);
        Assert.Equal((1, 1), (room.Entry.Players, room.Entry.Spectators));
        Assert.Equal(RoomLimits.NoSlot, room.Leave(watcher, Now, KeepUs, _directory));
        Assert.Equal((1, 0), (room.Entry.Players, room.Entry.Spectators));
        Assert.Empty(room.Spectators.ToArray());
    }

    [Fact]
    public void A_broadcast_reaches_every_player_and_spectator_but_the_one_excepted()
    {
        var room = NewRoom();
        var players = Enumerable.Range(0, 2).Select(_ => NewSession()).ToList();
        players.ForEach(p => room.Seat(p));
        var watcher = NewSession();
        room.AddSpectator(watcher);
        var log = new OutputLog();

        room.Broadcast(new RecordingOutput(log), [1, 2, 3], except: players[0], Now);
        Assert.Equal([players[1], watcher], log.Sent.Select(m => m.Session));
        Assert.All(log.Sent, m => Assert.Equal([1, 2, 3], m.Bytes));
    }

    [Fact]
    public void A_reopened_room_is_empty_and_belongs_to_its_new_entry()
    {
        var room = NewRoom(capacity: 2);
        var dropped = Seated(room);
        room.AddSpectator(NewSession());
        room.Leave(dropped, Now, KeepUs, _directory);

        Assert.Equal(RoomStatus.Ok, _directory.TryCreate("next", 0, 2, false, null, out var next));
        room.Reopen(next!, new MovementArenaMode(2, ArenaSettings.Default));
        Assert.Same(next, room.Entry);
        Assert.True(room.IsEmpty);
        Assert.Equal((0, -1L), (room.PlayerCount, room.EmptySinceUs));
        Assert.Equal([0, 1], new[] { room.Seat(NewSession()), room.Seat(NewSession()) }); // the kept slot is gone

        Assert.Equal(RoomStatus.Ok, _directory.TryCreate("bigger", 0, 3, false, null, out var bigger));
        Assert.Throws<ArgumentException>(() => room.Reopen(bigger!, new MovementArenaMode(3, ArenaSettings.Default)));
    }

    [Fact]
    public void The_game_mode_learns_the_connect_tokens_player_id_of_each_player_it_seats()
    {
        Assert.Equal(RoomStatus.Ok, _directory.TryCreate("accounts", 0, 2, false, null, out var entry));
        var mode = new AccountsMode(2);
        var room = new Room(entry!, mode);
        Assert.Equal(0, room.Seat(TestSessions.Open(1, Now, tokenPlayerId: 0xACC0_0000_0000_0001)));
        Assert.Equal(1, room.Seat(TestSessions.Open(2, Now))); // an insecure server's player: no token
        Assert.Equal([0xACC0_0000_0000_0001UL, 0UL], mode.TokenPlayerIds);
    }

    /// <summary>A mode that remembers who joined each slot, as a game that keeps per-account state would.</summary>
    private sealed class AccountsMode(int capacity) : IGameMode
    {
        private readonly PlayerState[] _states = new PlayerState[capacity];

        public ulong[] TokenPlayerIds { get; } = new ulong[capacity];
        public int Capacity => capacity;
        public ReadOnlySpan<PlayerState> PlayerStates => _states;

        public void OnPlayerJoined(int slot) => throw new InvalidOperationException("the room calls the overload with the token's player id");

        public void OnPlayerJoined(int slot, ulong tokenPlayerId) => TokenPlayerIds[slot] = tokenPlayerId;

        public void OnPlayerLeft(int slot) => TokenPlayerIds[slot] = 0;

        public void ApplyInput(int slot, in PlayerInput input)
        {
        }

        public void Tick(long tick)
        {
        }
    }
}
