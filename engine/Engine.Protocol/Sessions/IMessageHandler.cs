using Engine.Protocol.Wire;

namespace Engine.Protocol.Sessions;

/// <summary>
/// Receives the application messages of a packet. Implement it on a struct and pass it by ref so
/// the compiler specialises the call (no interface dispatch, no allocation).
/// </summary>
public interface IMessageHandler
{
    /// <summary>An unreliable message: at most once, in no particular order.</summary>
    void OnMessage(ReadOnlySpan<byte> payload);

    /// <summary>A reliable message (reassembled when it was fragmented): exactly once, in the order queued.</summary>
    void OnReliable(ReadOnlySpan<byte> payload);

    /// <summary>An input or snapshot message of the game layer (unreliable), with its kind.</summary>
    void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload);
}
