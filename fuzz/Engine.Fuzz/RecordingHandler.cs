using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Fuzz;

/// <summary>Folds everything a connection delivers into a hash, so two connections that must agree can be compared.</summary>
internal struct RecordingHandler : IMessageHandler
{
    private const ulong Prime = 0x100000001B3;

    public ulong Hash;
    public int Delivered;

    public void OnMessage(ReadOnlySpan<byte> payload) => Mix(1, payload);

    public void OnReliable(ReadOnlySpan<byte> payload)
    {
        Check.That(payload.Length <= Connection.MaxReliableMessageSize, $"reliable message of {payload.Length} bytes delivered, above the 64 KiB cap");
        Mix(2, payload);
    }

    public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
    {
        Check.That(kind is MessageKind.Input or MessageKind.Snapshot, $"game message of kind {kind} delivered");
        Mix((byte)(0x10 + (byte)kind), payload);
    }

    private void Mix(byte kind, ReadOnlySpan<byte> payload)
    {
        Delivered++;
        var hash = (Hash ^ kind) * Prime;
        hash = (hash ^ (uint)payload.Length) * Prime;
        foreach (var b in payload)
        {
            hash = (hash ^ b) * Prime;
        }
        Hash = hash;
    }
}
