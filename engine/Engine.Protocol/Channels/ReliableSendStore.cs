namespace Engine.Protocol.Channels;

/// <summary>
/// The buffers of a <see cref="ReliableSender"/> while it has messages in flight: the byte ring of
/// queued units, the per-unit records (by id modulo <see cref="QueueSlots"/>) and the per-packet
/// records of which units each packet carried. A sender borrows one when it queues a message and
/// returns it when everything is acknowledged (<see cref="BorrowPool{T}"/>: per thread first, so
/// borrowing on a shard takes no lock); stores that grew for large messages are left to the
/// garbage collector rather than kept.
/// </summary>
internal sealed class ReliableSendStore
{
    /// <summary>Packets are only acknowledged within the 33 the ack bits reach; a power of two, so u16 sequences map consistently.</summary>
    public const int PacketSlots = 64;

    private const int InitialQueueSlots = 64;
    private const int InitialBufferBytes = 2 * 1024;

    /// <summary>
    /// A room's broadcast reaching its players at once is mostly served here; more go to the shared
    /// queue. Kept small because a thread that returns more than it borrows (the shard a session
    /// moved to) holds its stack full while the other shards allocate: the stores in the pools grow
    /// up to this many per thread beyond the most ever in flight, and a stack of 256 filled over
    /// many minutes of churn (2 MB of stores still arriving ten minutes in).
    /// </summary>
    private const int PooledPerThread = 32;

    /// <summary>Stores shared between threads (returned on another shard than they were borrowed on); more are collected.</summary>
    private const int PooledShared = 4096;

    public byte[] Buffer = new byte[InitialBufferBytes];
    public int QueueSlots = InitialQueueSlots;
    public uint[] UnitStart = new uint[InitialQueueSlots];
    public ushort[] UnitLength = new ushort[InitialQueueSlots];
    public ushort[] UnitIndex = new ushort[InitialQueueSlots];
    public ushort[] UnitCount = new ushort[InitialQueueSlots]; // 0 for a whole message, else the fragment count
    public byte[] UnitAttempts = new byte[InitialQueueSlots];
    public bool[] UnitAcked = new bool[InitialQueueSlots];
    public long[] UnitNextSendUs = new long[InitialQueueSlots];

    public readonly ushort[] PacketSequence = new ushort[PacketSlots];
    public readonly byte[] PacketUnitCount = new byte[PacketSlots];
    public readonly ushort[] PacketUnits = new ushort[PacketSlots * ReliableChannel.MaxUnitsPerPacket];

    private bool IsInitialSize => Buffer.Length == InitialBufferBytes && QueueSlots == InitialQueueSlots;

    /// <summary>A store with no packet records (records of another connection must never acknowledge this one's units).</summary>
    public static ReliableSendStore Rent()
    {
        if (BorrowPool<ReliableSendStore>.TryRent() is { } store)
        {
            Array.Clear(store.PacketUnitCount);
            return store;
        }
        return new ReliableSendStore();
    }

    public static void Return(ReliableSendStore store)
    {
        if (store.IsInitialSize)
        {
            BorrowPool<ReliableSendStore>.Return(store, PooledPerThread, PooledShared);
        }
    }

    /// <summary>Grows the unit slots (doubling) until <paramref name="units"/> fit, moving the pending units (oldest to next) to their new slots.</summary>
    public void EnsureUnitSlots(ushort oldest, ushort next, int units)
    {
        if (units <= QueueSlots)
        {
            return;
        }
        var slots = QueueSlots;
        while (slots < units)
        {
            slots *= 2;
        }
        var start = new uint[slots];
        var length = new ushort[slots];
        var index = new ushort[slots];
        var count = new ushort[slots];
        var attempts = new byte[slots];
        var acked = new bool[slots];
        var nextSend = new long[slots];
        for (var id = oldest; id != next; id++)
        {
            int from = id % QueueSlots, to = id % slots;
            start[to] = UnitStart[from];
            length[to] = UnitLength[from];
            index[to] = UnitIndex[from];
            count[to] = UnitCount[from];
            attempts[to] = UnitAttempts[from];
            acked[to] = UnitAcked[from];
            nextSend[to] = UnitNextSendUs[from];
        }
        (UnitStart, UnitLength, UnitIndex, UnitCount, UnitAttempts, UnitAcked, UnitNextSendUs) = (start, length, index, count, attempts, acked, nextSend);
        QueueSlots = slots;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more after the units between tail and head, growing the ring up to <paramref name="maxBytes"/>; false when full.</summary>
    public bool EnsureSpace(uint head, uint tail, int bytes, int maxBytes)
    {
        var needed = (int)(head - tail) + bytes;
        if (needed <= Buffer.Length)
        {
            return true;
        }
        if (needed > maxBytes)
        {
            return false;
        }
        var capacity = Buffer.Length;
        while (capacity < needed)
        {
            capacity *= 2;
        }
        // Growth happens a bounded number of times per message burst; the positions stay valid
        // because both capacities divide 2^32.
        var old = Buffer;
        var grown = new byte[capacity];
        for (var position = tail; position != head; position++)
        {
            grown[position & (uint)(capacity - 1)] = old[position & (uint)(old.Length - 1)];
        }
        Buffer = grown;
        return true;
    }

    public void CopyIn(uint position, ReadOnlySpan<byte> source)
    {
        var start = (int)(position & (uint)(Buffer.Length - 1));
        var first = Math.Min(source.Length, Buffer.Length - start);
        source.Slice(0, first).CopyTo(Buffer.AsSpan(start));
        source.Slice(first).CopyTo(Buffer);
    }

    public void CopyOut(uint position, Span<byte> destination)
    {
        var start = (int)(position & (uint)(Buffer.Length - 1));
        var first = Math.Min(destination.Length, Buffer.Length - start);
        Buffer.AsSpan(start, first).CopyTo(destination);
        Buffer.AsSpan(0, destination.Length - first).CopyTo(destination.Slice(first));
    }
}
