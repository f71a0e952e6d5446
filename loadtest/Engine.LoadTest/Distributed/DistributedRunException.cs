namespace Engine.LoadTest.Distributed;

/// <summary>A distributed run that cannot go on (NATS unreachable, agents missing, a share refused): one line, exit code 1.</summary>
internal sealed class DistributedRunException(string message) : Exception(message);
