namespace Engine.LoadTest.Distributed;

/// <summary>Running until it says it is done (Finished) or falls silent past the heartbeat time-out (Lost).</summary>
internal enum AgentStatus
{
    Running,
    Finished,
    Lost,
}
