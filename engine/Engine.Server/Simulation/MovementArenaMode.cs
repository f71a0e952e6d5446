using Engine.Protocol.Simulation;

namespace Engine.Server.Simulation;

/// <summary>
/// The built-in mode: players walk, turn, jump and fall inside the arena's box, by exactly the
/// rule (<see cref="Movement.Step"/>) the client SDK predicts with, so honest clients are never
/// corrected. Players spawn on the floor on a grid around the centre, spaced two metres apart.
/// </summary>
public sealed class MovementArenaMode : IGameMode
{
    private const int SpawnSpacing = 2_000;
    private const int SpawnColumns = 8;

    private readonly PlayerState[] _states;
    private readonly ArenaSettings _settings;

    public MovementArenaMode(int capacity, in ArenaSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        settings.EnsureValid();
        _settings = settings;
        _states = new PlayerState[capacity];
    }

    public int Capacity => _states.Length;

    public ref readonly ArenaSettings Settings => ref _settings;

    public ReadOnlySpan<PlayerState> PlayerStates => _states;

    /// <summary>Where a player in <paramref name="slot"/> starts; clients may start predicting from it before their first snapshot.</summary>
    public static PlayerState SpawnState(int slot, in ArenaSettings settings)
    {
        var centreX = settings.MinX + (settings.MaxX - (long)settings.MinX) / 2;
        var centreZ = settings.MinZ + (settings.MaxZ - (long)settings.MinZ) / 2;
        var column = slot % SpawnColumns - SpawnColumns / 2;
        var row = slot / SpawnColumns;
        return new PlayerState
        {
            PositionX = (int)Math.Clamp(centreX + (long)column * SpawnSpacing, settings.MinX, settings.MaxX),
            PositionY = settings.MinY,
            PositionZ = (int)Math.Clamp(centreZ + (long)row * SpawnSpacing, settings.MinZ, settings.MaxZ),
            Flags = PlayerFlags.Grounded,
        };
    }

    public void OnPlayerJoined(int slot) => _states[slot] = SpawnState(slot, _settings);

    public void OnPlayerLeft(int slot) => _states[slot] = default;

    public void ApplyInput(int slot, in PlayerInput input) => Movement.Step(ref _states[slot], input, _settings);

    public void Tick(long tick)
    {
        // Movement is entirely input-driven; nothing else moves in the arena.
    }
}
