namespace Engine.Protocol.Rooms;

public static class RoomLimits
{
    public const int MaxNameBytes = 32;
    public const int MaxPasswordBytes = 64;
    public const int MaxChatBytes = 256;
    public const int MaxPageSize = 50;

    /// <summary>A fleet node's id: letters, digits, '.', '_' and '-' (the fleet's own rule).</summary>
    public const int MaxNodeIdBytes = 64;
    public const int ResumeTokenSize = 16;
    public const byte NoSlot = 0xFF;
}
