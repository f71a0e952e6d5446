namespace Engine.Host.Lifecycle;

/// <summary>Why a node stopped: what <see cref="NodeLifecycle.Stopped"/> completes with.</summary>
internal enum StopCause
{
    /// <summary>Told to stop at once (SIGINT, a second SIGTERM, a failed shard), with or without a drain under way.</summary>
    Immediate,

    /// <summary>The drain ended because no room had a player left.</summary>
    RoomsEmptied,

    /// <summary>The drain deadline passed with players still in rooms.</summary>
    DrainDeadline,
}
