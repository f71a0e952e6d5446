using Engine.Protocol.Simulation;

namespace Engine.Server.Simulation;

/// <summary>
/// A game's rules, run by a room on its shard thread. Implement it in your own code and hand an
/// instance to the room: it is called directly, with no reflection, so it is AOT-safe. Every call
/// comes from the one thread that owns the room, so an implementation needs no locks; it should
/// allocate nothing per tick.
/// <para>
/// Each tick the room first applies the inputs that are due, in sequence order, each exactly once
/// (<see cref="ApplyInput"/>, zero or more times per player: a player whose inputs are late simply
/// does not move that tick, and catches up when they arrive), then calls <see cref="Tick"/>, then,
/// on snapshot ticks, reads <see cref="PlayerStates"/>. Inputs reaching the mode are already
/// validated and clamped by the room's input validator.
/// </para>
/// <para>
/// Clients predict their own player with <see cref="Movement.Step"/>. A mode that moves players
/// in any other way (knock-back, teleports) is fine: the client is corrected by the next snapshot.
/// </para>
/// </summary>
public interface IGameMode
{
    /// <summary>How many player slots the mode holds; slots are 0..Capacity-1.</summary>
    int Capacity { get; }

    /// <summary>A player took <paramref name="slot"/>: put them in the world (spawn).</summary>
    void OnPlayerJoined(int slot);

    /// <summary>
    /// The same, saying who the player is: <paramref name="tokenPlayerId"/> is the player id the game's
    /// backend put in the player's connect token, authenticated by the server (0 on an insecure
    /// server). The room calls this one; a mode that has no use for the id need not implement it.
    /// </summary>
    void OnPlayerJoined(int slot, ulong tokenPlayerId) => OnPlayerJoined(slot);

    /// <summary>The player in <paramref name="slot"/> left; the slot may be reused by a later join.</summary>
    void OnPlayerLeft(int slot);

    /// <summary>Applies one validated input of the player in <paramref name="slot"/>; one call is one client tick of movement.</summary>
    void ApplyInput(int slot, in PlayerInput input);

    /// <summary>Advances everything not driven by inputs (timers, pickups, scores) by one tick, after the tick's inputs.</summary>
    void Tick(long tick);

    /// <summary>Every slot's state, indexed by slot, read to build snapshots; entries of empty slots mean nothing.</summary>
    ReadOnlySpan<PlayerState> PlayerStates { get; }
}
