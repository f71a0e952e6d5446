namespace Engine.Fleet.Records;

/// <summary>The states a node registers: open takes new players, draining lets its rooms play on and takes none.</summary>
public static class NodeStates
{
    public const string Open = "open";
    public const string Draining = "draining";
}
