namespace Engine.Protocol.Simulation;

/// <summary>Buttons held during one input. The top two bits are reserved: the server clears them.</summary>
[Flags]
public enum InputButtons : byte
{
    None = 0,
    Jump = 1 << 0,
    Crouch = 1 << 1,
    Sprint = 1 << 2,
    Primary = 1 << 3,
    Secondary = 1 << 4,
    Use = 1 << 5,

    /// <summary>Every bit a client may set; anything else is cleared and counted by the server.</summary>
    All = Jump | Crouch | Sprint | Primary | Secondary | Use,
}
