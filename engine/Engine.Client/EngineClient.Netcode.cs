using Engine.Protocol.Wire;

namespace Engine.Client;

/// <summary>The game layer on the client: inputs out, snapshots in.</summary>
public sealed partial class EngineClient
{
    private void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind == MessageKind.Snapshot)
        {
            SnapshotsReceived++;
        }
    }

    /// <summary>Snapshot messages received from the server.</summary>
    public long SnapshotsReceived { get; private set; }
}
