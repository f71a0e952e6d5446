using System.Net;

namespace Engine.Benchmarks.PingPong;

internal static class RawUdpClientsFactory
{
    public static IPingPongClients Create(IPEndPoint server, PingPongOptions o) =>
        throw new InvalidOperationException("the raw UDP batch client (BatchSocket) is not wired yet");
}
