namespace Engine.Protocol.Sessions;

/// <summary>
/// Receives the application messages of a packet. Implement it on a struct and pass it by ref so
/// the compiler specialises the call (no interface dispatch, no allocation).
/// </summary>
public interface IMessageHandler
{
    void OnMessage(ReadOnlySpan<byte> payload);
}
