namespace Engine.Server.Rooms;

/// <summary>
/// A join on its way to the room's shard: the room, as a player or a spectator, the request to
/// answer, and for a resume the kept slot's token.
/// </summary>
internal readonly record struct RoomJoin(uint RoomId, bool Spectate, ushort RequestId, bool Resume, ulong TokenLow, ulong TokenHigh)
{
    public static RoomJoin Player(uint roomId, ushort requestId) => new(roomId, false, requestId, false, 0, 0);
}
