namespace Engine.Benchmarks.PingPong;

/// <summary>
/// A swarm of ping-pong clients driven by one thread: <see cref="Connect"/> then
/// <see cref="Run"/> on that same thread until stopped. Each client keeps exactly one
/// message in flight and sends the next as soon as the echo arrives.
/// </summary>
internal interface IPingPongClients : IDisposable
{
    /// <summary>Connects every client, or throws when they are not all connected by the deadline.</summary>
    void Connect(TimeSpan timeout);

    /// <summary>The ping-pong loop; returns soon after <paramref name="stop"/> is set.</summary>
    void Run(RoundTripRecorder recorder, ManualResetEventSlim stop);

    /// <summary>One line about how the clients are set up, for the report.</summary>
    string Description { get; }

    /// <summary>
    /// Distinct client addresses (ports) the server sees. Fewer addresses than clients lets
    /// a server batch replies per destination (GSO) in a way real clients, one address each,
    /// would not allow, so the report prints it next to every row.
    /// </summary>
    int SourceAddresses { get; }

    /// <summary>Clients not connected any more (read after <see cref="Run"/> returned).</summary>
    int Disconnected { get; }
}
