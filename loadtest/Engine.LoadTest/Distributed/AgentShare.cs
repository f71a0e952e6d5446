namespace Engine.LoadTest.Distributed;

/// <summary>
/// What the coordinator asks of one agent: its players (ids from <see cref="FirstPlayerId"/>), its
/// source addresses (sockets from 127.0.0.(2 + <see cref="SourceAddressOffset"/>)), the swarm's command
/// line for that share (the server, its key, the scenario and rates already split) and the common start.
/// </summary>
internal sealed record AgentShare(
    string RunId,
    int Index,
    int Count,
    int Players,
    long FirstPlayerId,
    int SourceAddressOffset,
    string[] Arguments,
    long StartAtUnixMs,
    int HeartbeatTimeoutMs);
