namespace Engine.Protocol.Simulation;

[Flags]
public enum PlayerFlags : byte
{
    None = 0,

    /// <summary>Standing on the floor: may jump, no gravity applied.</summary>
    Grounded = 1 << 0,
}
