namespace Engine.LoadTest.Metrics;

/// <summary>Everything the swarm thread counts; a plain copyable bag so the per-second rows and the window are differences of two copies.</summary>
#pragma warning disable CA1051
internal struct SwarmCounters
{
    public long HandshakesStarted;
    public long HandshakesCompleted;
    public long HandshakeTimeouts;
    public long HandshakeRejects;
    public long RoomRequests;
    public long RoomJoins;
    public long RoomJoinFailures;
    public long RoomRequestTimeouts;
    public long RoomLefts;

    /// <summary>Sessions the server moved to another shard (the Move event).</summary>
    public long ShardMoves;
    public long ServerDisconnects;
    public long InputMessages;
    public long InputsGenerated;
    public long InputsNotGenerated;
    public long BareAcks;
    public long SnapshotsReceived;
    public long SnapshotsApplied;
    public long SnapshotsMissed;
    public long SnapshotsStale;
    public long SnapshotsMissingBaseline;
    public long SnapshotsMalformed;
    public long SnapshotsForeign;
    public long SnapshotBytes;
    public long AckRingOverflows;
    public long ChatSent;
    public long ChatNotQueued;
    public long ChatReceived;
    public long ChatRefused;
    public long Moves;
    public long Leaves;
    public long Drops;
    public long Resumes;
    public long ResumeFailures;

    /// <summary>Overload: players that left for good in the ramp down.</summary>
    public long Departures;
    public long Unrouted;
    public long PlayerJoinedEvents;
    public long PlayerLeftEvents;

    /// <summary>A fleet run: tickets the backend refused (the player asks again a second later), tickets past their expiry before use, and ticket rooms that refused the player (filled or closed meanwhile; it quick-matched instead).</summary>
    public long TicketsRefused;
    public long TicketsExpired;
    public long TicketRoomsRefused;

    /// <summary>Hostile: captured datagrams resent from the players' own sockets (attack traffic, not the players').</summary>
    public long ReplaysSameAddress;
    public long ReplaySameAddressBytes;
}
#pragma warning restore CA1051
