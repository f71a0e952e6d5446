namespace Engine.Protocol.Rooms;

/// <summary>
/// The first byte of every reliable message. 0x00 carries the game's own bytes; 0x01-0x7F are
/// requests from the client, 0x80-0xFF are results and events from the server.
/// </summary>
public enum RoomOp : byte
{
    Application = 0x00,

    CreateRoom = 0x01,
    ListRooms = 0x02,
    JoinRoom = 0x03,
    QuickMatch = 0x04,
    LeaveRoom = 0x05,
    Chat = 0x06,
    Resume = 0x07,

    /// <summary>Join a room by its fleet-wide id: here, or on another node by a <see cref="Redirect"/>.</summary>
    JoinFleetRoom = 0x08,

    /// <summary>Present the resume ticket of a <see cref="Redirect"/> to the node it names, right after connecting.</summary>
    RedeemTicket = 0x09,

    Result = 0x81,
    RoomList = 0x82,
    Joined = 0x83,
    PlayerJoined = 0x84,
    PlayerLeft = 0x85,
    ChatMessage = 0x86,
    Left = 0x87,
    Move = 0x88,

    /// <summary>The room asked for is on another node: connect there with this token and present this ticket.</summary>
    Redirect = 0x89,
}
