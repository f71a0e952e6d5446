using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>A session moving to the shard that owns the room it joins, with the id that steers its packets there.</summary>
internal readonly record struct SessionMove(Session Session, ulong NewConnectionId, RoomJoin Join);
