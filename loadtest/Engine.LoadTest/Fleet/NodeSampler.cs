namespace Engine.LoadTest.Fleet;

/// <summary>
/// The per-node figures of a fleet run: the backend's GET /v1/nodes once a second, on the monitor
/// thread. A node's CPU and sessions are what it last wrote to the directory (it renews at least once a
/// second), so they lag the swarm by up to a second.
/// </summary>
internal sealed class NodeSampler(BackendPlacement backend)
{
    /// <summary>Seconds whose reading failed (the backend did not answer 200); their nodes are missing from the report's series.</summary>
    public int Failures { get; private set; }

    public int LastStatus { get; private set; }

    public List<NodeReading>? Sample()
    {
        var nodes = backend.Nodes(out var status);
        LastStatus = status;
        if (nodes is null)
        {
            Failures++;
        }
        return nodes;
    }
}
