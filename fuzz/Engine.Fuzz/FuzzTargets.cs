using Engine.Fuzz.Targets;

namespace Engine.Fuzz;

/// <summary>Every fuzz target by its command-line name. Add a new target here (docs/FUZZING.md).</summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } =
        ["session-header", "handshake", "connection", "room-request", "room-event", "input", "snapshot", "client", "token", "sealed", "ticket"];

    /// <summary>A fresh instance (targets keep scratch buffers, so one per thread).</summary>
    public static FuzzTarget? Create(string name) => name switch
    {
        "session-header" => new SessionHeaderTarget(),
        "handshake" => new HandshakeTarget(),
        "connection" => new ConnectionTarget(),
        "room-request" => new RoomRequestTarget(),
        "room-event" => new RoomEventTarget(),
        "input" => new InputTarget(),
        "snapshot" => new SnapshotTarget(),
        "client" => new ClientTarget(),
        "token" => new TokenTarget(),
        "sealed" => new SealedPacketTarget(),
        "ticket" => new TicketTarget(),
        _ => null,
    };
}
