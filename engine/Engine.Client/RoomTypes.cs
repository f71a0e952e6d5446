using Engine.Protocol.Rooms;

namespace Engine.Client;

/// <summary>The server's answer to a room operation.</summary>
public readonly record struct RoomResult(RoomStatus Status, uint RoomId)
{
    public bool Succeeded => Status == RoomStatus.Ok;
}

/// <summary>The room this client is in.</summary>
public sealed record RoomInfo(uint Id, string Name, int Capacity, byte Slot, uint PlayerId, bool IsSpectator, bool IsPrivate, byte[] ResumeToken, int TickRate, int SnapshotRate);

/// <summary>Another player in the room (or this one), by the slot their state has in snapshots.</summary>
public readonly record struct RoomPlayer(uint PlayerId, byte Slot);

/// <summary>A listed room; <see cref="HasPassword"/>: joining it takes the password.</summary>
public sealed record RoomListing(uint Id, string Name, int Players, int Capacity, int Spectators, bool IsPrivate, bool HasPassword = false);

public sealed record RoomList(RoomStatus Status, int Total, IReadOnlyList<RoomListing> Rooms);

public delegate void ChatReceivedHandler(uint playerId, string text);
