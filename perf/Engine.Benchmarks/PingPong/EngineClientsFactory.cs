using System.Net;

namespace Engine.Benchmarks.PingPong;

internal static class EngineClientsFactory
{
    public static IPingPongClients Create(IPEndPoint server, PingPongOptions o) =>
        throw new InvalidOperationException("the engine client (BatchSocket + ClientConnection) is not wired yet");
}
