using Engine.Server.Rooms;
using Engine.Server.Sessions;

namespace Engine.Tests.Sessions;

/// <summary>A service asked the shard to move a session to another shard for a join.</summary>
internal readonly record struct RequestedMove(Session Session, int Shard, RoomJoin Join);
