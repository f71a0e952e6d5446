namespace Engine.Server.Fleet;

/// <summary>The node's view of its fleet, given by the host once it has joined one; null on a lone node. Shards read it per request.</summary>
internal sealed class FleetLink
{
    private volatile IFleetDirectory? _directory;

    public IFleetDirectory? Directory
    {
        get => _directory;
        set => _directory = value;
    }
}
