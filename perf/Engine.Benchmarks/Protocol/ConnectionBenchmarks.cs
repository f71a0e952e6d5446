using BenchmarkDotNet.Attributes;
using Engine.Protocol;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Benchmarks.Protocol;

/// <summary>
/// One echo through the sans-IO session code, without sockets: parse the header, validate and
/// deliver a 32-byte message, queue it back, and write the reply packet. The server's per-message work.
/// </summary>
public class ConnectionBenchmarks
{
    private readonly Connection _server = new(0x0101, ConnectionOptions.Default, 0);
    private readonly Connection _client = new(0x0101, ConnectionOptions.Default, 0);
    private readonly byte[] _request = new byte[ProtocolConstants.MaxDatagram];
    private readonly byte[] _reply = new byte[ProtocolConstants.MaxDatagram];
    private readonly byte[] _payload = new byte[32];
    private long _now = 1;

    [Benchmark]
    public int EchoOneMessage()
    {
        // The client's packets carry consecutive sequences, as on a real session.
        _client.QueueUnreliable(_payload);
        var length = _client.PollSend(_request, _now);
        var packet = _request.AsSpan(0, length);
        SessionHeader.TryRead(packet, out var header);
        var echo = new Echo(_server);
        _server.Receive(header, packet, _now, ref echo);
        _now++;
        return _server.PollSend(_reply, _now);
    }

    private readonly struct Echo(Connection connection) : IMessageHandler
    {
        public void OnMessage(ReadOnlySpan<byte> payload) => connection.QueueUnreliable(payload);

        public void OnReliable(ReadOnlySpan<byte> payload) => connection.QueueReliable(payload);


        public void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)

        {

        }
    }
}
