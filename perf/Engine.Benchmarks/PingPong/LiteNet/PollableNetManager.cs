using System.Net.Sockets;
using LiteNetLib;

namespace Engine.Benchmarks.PingPong.LiteNet;

/// <summary>
/// A NetManager whose IPv4 socket can be waited on. In manual mode LiteNetLib only offers a
/// non-blocking PollEvents; a host that must not spin waits for readability first.
/// </summary>
internal sealed class PollableNetManager(INetEventListener listener) : NetManager(listener)
{
    public Socket? Socket => _udpSocketv4;

    public bool WaitReadable(int microseconds) =>
        _udpSocketv4 is { } s && s.Poll(microseconds, SelectMode.SelectRead);
}
