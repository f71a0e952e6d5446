namespace Engine.Benchmarks.PingPong;

/// <summary>
/// How the batch clients (the engine and C echo rows) are spread over client sockets, and what
/// a table of that layout measures. Real players each have their own address and port, so the
/// one-address-per-client layout is the realistic one; the shared layout lets a server coalesce
/// replies to one client port into one GSO send, which real traffic never allows. LiteNetLib's
/// clients are one NetManager (one socket) each, so they have one address per client in both.
/// </summary>
internal sealed record ClientLayout(int Sockets, bool OnePerClient)
{
    /// <summary>Client sockets of the shared layout: a few, so a reuseport server's hash can still spread them over shards.</summary>
    public const int SharedSockets = 4;

    public static ClientLayout PerClient(int clients) => new(clients, OnePerClient: true);

    public static ClientLayout Shared(int sockets) => new(sockets, OnePerClient: false);

    /// <summary>The layout of <c>--client-sockets N</c>: one address per client when there are as many sockets as clients.</summary>
    public static ClientLayout ForSockets(int sockets, int clients) => sockets >= clients ? PerClient(clients) : Shared(sockets);

    public string Key => OnePerClient ? "per-client" : "shared";

    public string Title(int clients) => OnePerClient
        ? $"One address per client ({clients} client sockets, as real players have)"
        : $"Shared client addresses ({Sockets} client sockets for {clients} clients)";

    public string Measures => OnePerClient
        ? "Every reply goes to its own address, as with real players: the server's cost per datagram."
        : "Measures batching onto few client ports (a server may coalesce consecutive replies to one address into one GSO send), "
          + "not what a server sees from real players; LiteNetLib's clients keep one address each.";
}
