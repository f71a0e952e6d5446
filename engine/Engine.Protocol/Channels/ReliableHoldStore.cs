namespace Engine.Protocol.Channels;

/// <summary>
/// The units a <see cref="ReliableReceiver"/> holds while it waits for a gap before them to fill,
/// by id modulo the window. Borrowed (<see cref="BorrowPool{T}"/>) when the first unit arrives
/// early and returned when the last held unit is delivered, so the buffers of a burst of loss
/// serve every session in turn instead of staying with the one that needed them.
/// </summary>
internal sealed class ReliableHoldStore
{
    /// <summary>A few sessions of a thread recovering from loss at once; more go to the shared queue.</summary>
    private const int PooledPerThread = 64;

    /// <summary>Stores shared between threads; more are collected.</summary>
    private const int PooledShared = 256;

    private readonly byte[]?[] _data = new byte[]?[ReliableChannel.Window];
    private readonly int[] _length = new int[ReliableChannel.Window];

    public readonly ushort[] Index = new ushort[ReliableChannel.Window];
    public readonly ushort[] FragmentCount = new ushort[ReliableChannel.Window];
    public readonly bool[] Present = new bool[ReliableChannel.Window];

    /// <summary>The size of every buffer this store holds (the renting connection's unit size).</summary>
    private int _slotBytes;

    /// <summary>Units held now.</summary>
    public int Count;

    public int RetainedBytes
    {
        get
        {
            var total = 0;
            foreach (var buffer in _data)
            {
                total += buffer?.Length ?? 0;
            }
            return total;
        }
    }

    /// <summary>A store for units of <paramref name="slotBytes"/>: one last used by a connection with another packet size lets its buffers go.</summary>
    public static ReliableHoldStore Rent(int slotBytes)
    {
        var store = BorrowPool<ReliableHoldStore>.TryRent() ?? new ReliableHoldStore();
        if (store._slotBytes != slotBytes)
        {
            Array.Clear(store._data);
            store._slotBytes = slotBytes;
        }
        return store;
    }

    public static void Return(ReliableHoldStore store)
    {
        Array.Clear(store.Present);
        store.Count = 0;
        BorrowPool<ReliableHoldStore>.Return(store, PooledPerThread, PooledShared);
    }

    /// <summary>Copies a unit into its slot (its buffer allocated the first time the slot is used).</summary>
    public void Put(int slot, ushort index, ushort count, ReadOnlySpan<byte> data)
    {
        var buffer = _data[slot] ??= new byte[_slotBytes];
        data.CopyTo(buffer);
        _length[slot] = data.Length;
        Index[slot] = index;
        FragmentCount[slot] = count;
        Present[slot] = true;
        Count++;
    }

    public ReadOnlySpan<byte> Data(int slot) => _data[slot].AsSpan(0, _length[slot]);
}
