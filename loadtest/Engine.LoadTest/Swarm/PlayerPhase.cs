namespace Engine.LoadTest.Swarm;

internal enum PlayerPhase : byte
{
    /// <summary>Not started yet (the connect or join rate decides when).</summary>
    Waiting,

    /// <summary>A fleet run: asking the backend for a ticket; connects with it at its start time.</summary>
    Matchmaking,
    Handshaking,

    /// <summary>Connected, outside a room: a room request is in flight or about to go.</summary>
    Lobby,

    /// <summary>Seated in a room, waiting for the first snapshot to seed prediction.</summary>
    InRoom,

    /// <summary>Seeded: sending inputs, receiving snapshots.</summary>
    Playing,
    Spectating,

    /// <summary>Churn: stopped talking on purpose; reconnects and resumes when the server has timed it out.</summary>
    Silent,

    /// <summary>Disconnected at the end of the run.</summary>
    Done,
}

internal enum RoomIntent : byte
{
    QuickMatch,
    Spectate,
    Resume,

    /// <summary>A fleet run: join the room the backend's ticket names (quick match if it filled meanwhile).</summary>
    JoinTicketRoom,
}
