using Engine.Protocol.Simulation;
using Engine.Server.Simulation;

namespace Engine.Tests.Snapshots;

/// <summary>A game mode whose players stand where the test puts them: nothing moves unless the test moves it.</summary>
internal sealed class PlacedMode(int capacity) : IGameMode
{
    private readonly PlayerState[] _states = new PlayerState[capacity];

    public int Capacity => _states.Length;

    public ReadOnlySpan<PlayerState> PlayerStates => _states;

    public ref PlayerState this[int slot] => ref _states[slot];

    public void OnPlayerJoined(int slot)
    {
    }

    public void OnPlayerLeft(int slot) => _states[slot] = default;

    public void ApplyInput(int slot, in PlayerInput input)
    {
    }

    public void Tick(long tick)
    {
    }
}
