using System.Net;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// The nodes tickets have named so far, each with the address players send to. Nodes are added by the
/// matchmaking tasks (under a lock) before the ticket that names them is handed over, and read by the
/// swarm thread by index without a lock: an entry never changes once written.
/// </summary>
internal sealed class NodeTable
{
    /// <summary>More nodes than a load test's fleet has; a ticket for one more fails instead of growing the arrays under the swarm.</summary>
    public const int Capacity = 1024;

    private readonly string[] _ids = new string[Capacity];
    private readonly IPEndPoint[] _addresses = new IPEndPoint[Capacity];
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Where players on node <paramref name="index"/> connect their sockets.</summary>
    public IPEndPoint Address(int index) => _addresses[index];

    public string Id(int index) => _ids[index];

    /// <summary>The index of the node at <paramref name="address"/>, added when new; -1 when the table is full or the address does not parse.</summary>
    public int IndexOf(string id, string address)
    {
        lock (_gate)
        {
            if (_byAddress.TryGetValue(address, out var index))
            {
                return index;
            }
            if (_count == Capacity || !IPEndPoint.TryParse(address, out var endPoint))
            {
                return -1;
            }
            index = _count;
            _ids[index] = id;
            _addresses[index] = endPoint;
            _byAddress[address] = index;
            Volatile.Write(ref _count, index + 1);
            return index;
        }
    }
}
