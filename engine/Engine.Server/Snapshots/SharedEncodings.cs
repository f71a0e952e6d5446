using Engine.Protocol.Wire;

namespace Engine.Server.Snapshots;

/// <summary>
/// The snapshot encodings of one room at one tick, by the view tick they are a delta against,
/// so clients with identical views share one. A few slots of pre-allocated bytes; cleared per room.
/// </summary>
internal sealed class SharedEncodings
{
    private const int Slots = 16;

    private readonly byte[] _bytes = new byte[Slots * ProtocolConstants.MaxDatagram];
    private readonly Entry[] _entries = new Entry[Slots];
    private int _count;

    public void Clear() => _count = 0;

    /// <summary>The entry for a view tick and budget, or -1.</summary>
    public int Find(uint viewTick, int budget)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_entries[i].ViewTick == viewTick && _entries[i].Budget == budget)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Where the next encoding goes; empty when every slot is taken.</summary>
    public Span<byte> Reserve() => _count == Slots ? default : _bytes.AsSpan(_count * ProtocolConstants.MaxDatagram, ProtocolConstants.MaxDatagram);

    public int Add(uint viewTick, int budget, int length, bool complete)
    {
        _entries[_count] = new Entry(viewTick, budget, length, complete);
        return _count++;
    }

    public bool IsComplete(int index) => _entries[index].Complete;

    public ReadOnlySpan<byte> Bytes(int index) => _bytes.AsSpan(index * ProtocolConstants.MaxDatagram, _entries[index].Length);

    private readonly record struct Entry(uint ViewTick, int Budget, int Length, bool Complete);
}
