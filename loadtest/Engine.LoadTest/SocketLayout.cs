using System.Globalization;

namespace Engine.LoadTest;

/// <summary>
/// How the players' datagrams reach the server over the whole run: one socket per player or a few
/// shared ones, how many sockets and on how many source addresses, and over how many swarms (a
/// distributed run's agents each bind their own sockets on addresses of their own).
/// </summary>
internal readonly record struct SocketLayout(bool SocketPerPlayer, int Sockets, int Addresses, int Swarms = 1)
{
    /// <summary>One swarm's layout: the sockets its options open and the addresses they bind.</summary>
    public static SocketLayout Of(LoadTestOptions o) =>
        new(o.SocketPerPlayer, o.SocketCount, Math.Min(o.AddressCount, Math.Max(1, o.SocketCount)));

    /// <summary>Several swarms' layouts (the same kind, on addresses of their own) as one run's.</summary>
    public static SocketLayout Sum(IReadOnlyCollection<SocketLayout> swarms) =>
        new(swarms.All(s => s.SocketPerPlayer), swarms.Sum(s => s.Sockets), swarms.Sum(s => s.Addresses), swarms.Sum(s => s.Swarms));

    /// <summary>As the report and the console say it.</summary>
    public string Description
    {
        get
        {
            var agents = Swarms > 1 ? string.Create(CultureInfo.InvariantCulture, $" over {Swarms} agents") : "";
            return SocketPerPlayer
                ? string.Create(CultureInfo.InvariantCulture, $"one socket per player: {Sockets} sockets on {Addresses} addresses{agents}")
                : string.Create(CultureInfo.InvariantCulture, $"shared: {Sockets} sockets{agents} (a layout real players never have: the server may join replies to many players into one send)");
        }
    }
}
