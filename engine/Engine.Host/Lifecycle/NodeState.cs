namespace Engine.Host.Lifecycle;

/// <summary>Where a node is in its life. It only moves forward: Running, then Draining (or not), then Stopping.</summary>
internal enum NodeState
{
    /// <summary>Takes players and opens rooms.</summary>
    Running,

    /// <summary>Takes no new players and opens no room; the rooms already open play on until they empty or the drain deadline passes.</summary>
    Draining,

    /// <summary>Telling every player "server shutting down" and exiting.</summary>
    Stopping,
}
