namespace Engine.Protocol.Rooms;

/// <summary>The server's answer to a room request; the client sees every refusal's reason.</summary>
public enum RoomStatus : byte
{
    Ok = 0,
    NotFound = 1,
    Full = 2,
    WrongPassword = 3,
    NameTaken = 4,
    InvalidName = 5,
    InvalidPassword = 6,
    TooManyRooms = 7,
    NotInRoom = 8,
    RateLimited = 9,
    InvalidToken = 10,
    InvalidCapacity = 11,
    Malformed = 12,
    ShuttingDown = 13,
    Busy = 14,
    InvalidMessage = 15,

    /// <summary>The server is draining: it opens no new rooms (joining a room already open still works).</summary>
    Draining = 16,

    /// <summary>A resume ticket refused: malformed, expired, forged, for another node or player, or used before.</summary>
    InvalidTicket = 17,

    /// <summary>
    /// Another node's room cannot be reached from here: this node is in no fleet (no directory) or runs
    /// without a token key; or the client could not connect to the node it was redirected to.
    /// </summary>
    Unavailable = 18,
}

/// <summary>Why a player left a room, as told to them and to the others.</summary>
public enum RoomLeaveReason : byte
{
    Requested = 1,
    Disconnected = 2,

    /// <summary>Timed out; the slot is kept for the reconnect window.</summary>
    TimedOut = 3,
    Moved = 4,
    RoomClosed = 5,
    Kicked = 6,
    ReconnectExpired = 7,
}
