namespace Engine.Transport;

/// <summary>
/// Memory for one recvmmsg call: <see cref="Capacity"/> slots of <c>maxDatagramBytes</c> in one pinned slab,
/// with the message headers, I/O vectors, source addresses and control buffers set up once. Owned by one
/// thread; the contents are valid until the next <see cref="BatchSocket.Receive"/> into this batch.
/// </summary>
public sealed unsafe class ReceiveBatch : IDisposable
{
    /// <summary>recvmmsg takes at most UIO_MAXIOV messages per call.</summary>
    internal const int MaxCapacity = 1024;

    // Room for SO_RXQ_OVFL (CMSG_SPACE(4) = 24) with space to spare for another small control message.
    private const int ControlBytesPerMessage = 64;

    private readonly int _maxDatagramBytes;
    private readonly byte[] _slab;
    private readonly PeerAddress[] _sources;
    private readonly Interop.Sys.MultiMessageHeader[] _headers;
    private readonly Interop.Sys.IOVector[] _vectors;
    private readonly ulong[] _control;

    // Slot index of the i-th delivered datagram: truncated datagrams are skipped without copying.
    private readonly int[] _slots;
    private readonly int[] _lengths;

    private readonly Interop.Sys.MultiMessageHeader* _headersPointer;
    private int _count;
    private bool _disposed;

    public ReceiveBatch(int capacity = 64, int maxDatagramBytes = 2048)
    {
        if (capacity is < 1 or > MaxCapacity)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity));
        }

        if (maxDatagramBytes is < 1 or > 65536)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxDatagramBytes));
        }

        Capacity = capacity;
        _maxDatagramBytes = maxDatagramBytes;

        // Everything the kernel reads or writes lives on the pinned object heap, so the addresses taken
        // below stay valid for the lifetime of the arrays, which is the lifetime of this batch.
        _slab = GC.AllocateUninitializedArray<byte>(checked(capacity * maxDatagramBytes), pinned: true);
        _sources = GC.AllocateArray<PeerAddress>(capacity, pinned: true);
        _headers = GC.AllocateArray<Interop.Sys.MultiMessageHeader>(capacity, pinned: true);
        _vectors = GC.AllocateArray<Interop.Sys.IOVector>(capacity, pinned: true);
        _control = GC.AllocateArray<ulong>(capacity * ControlBytesPerMessage / sizeof(ulong), pinned: true);
        _slots = new int[capacity];
        _lengths = new int[capacity];

        _headersPointer = (Interop.Sys.MultiMessageHeader*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_headers));
        byte* slab = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_slab));
        byte* sources = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_sources));
        byte* control = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_control));
        Interop.Sys.IOVector* vectors = (Interop.Sys.IOVector*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_vectors));
        for (int i = 0; i < capacity; i++)
        {
            vectors[i].Base = slab + ((nint)i * maxDatagramBytes);
            vectors[i].Count = (nuint)maxDatagramBytes;
            ref Interop.Sys.MessageHeader header = ref _headersPointer[i].Header;

            // PeerAddress starts with the sockaddr bytes, so the kernel writes the source in place.
            header.SocketAddress = sources + ((nint)i * sizeof(PeerAddress));
            header.IOVectors = vectors + i;
            header.IOVectorCount = 1;
            header.ControlBuffer = control + ((nint)i * ControlBytesPerMessage);
        }
    }

    public int Capacity { get; }

    /// <summary>Datagrams delivered by the last receive.</summary>
    public int Count => _count;

    public int MaxDatagramBytes => _maxDatagramBytes;

    internal Interop.Sys.MultiMessageHeader* Headers => _headersPointer;

    /// <summary>A received datagram; writable, so sealed packets can be decrypted where they landed.</summary>
    public Span<byte> Payload(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowHelper.ThrowIndexOutOfRange();
        }

        int slot = _slots[index];
        return new Span<byte>(_slab, slot * _maxDatagramBytes, _lengths[slot]);
    }

    public ref readonly PeerAddress Source(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            ThrowHelper.ThrowIndexOutOfRange();
        }

        return ref _sources[_slots[index]];
    }

    public void Dispose()
    {
        // The memory is managed (pinned arrays), so nothing can leak; disposing makes later use fail loudly.
        _disposed = true;
        _count = 0;
    }

    /// <summary>Resets the fields the kernel overwrites on every call.</summary>
    internal void PrepareForReceive()
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }

        _count = 0;
        Interop.Sys.MultiMessageHeader* headers = _headersPointer;
        for (int i = 0; i < Capacity; i++)
        {
            headers[i].Header.SocketAddressLen = PeerAddress.MaxLength;
            headers[i].Header.ControlBufferLen = ControlBytesPerMessage;
            headers[i].Header.Flags = 0;
        }
    }

    /// <summary>Records the <paramref name="received"/> messages the kernel filled and updates the counters.</summary>
    internal void Complete(int received, ref SocketCounters counters)
    {
        int delivered = 0;
        long bytes = 0;
        Interop.Sys.MultiMessageHeader* headers = _headersPointer;
        for (int i = 0; i < received; i++)
        {
            ref Interop.Sys.MessageHeader header = ref headers[i].Header;
            if (header.ControlBufferLen != 0)
            {
                ReadControlMessages(ref header, ref counters);
            }

            if ((header.Flags & Interop.Sys.MessageFlags.Truncated) != 0)
            {
                counters.TruncatedDatagrams++;
                continue;
            }

            int length = (int)headers[i].Length;
            _lengths[i] = length;
            PeerAddress.SetLength(ref _sources[i], (int)Math.Min(header.SocketAddressLen, (uint)PeerAddress.MaxLength));
            _slots[delivered++] = i;
            bytes += length;
        }

        _count = delivered;
        counters.DatagramsReceived += delivered;
        counters.BytesReceived += bytes;
    }

    private static void ReadControlMessages(ref Interop.Sys.MessageHeader header, ref SocketCounters counters)
    {
        byte* cursor = header.ControlBuffer;
        byte* end = cursor + header.ControlBufferLen;
        int headerSpace = Interop.Sys.ControlMessageHeader.LengthFor(0);
        while (cursor + headerSpace <= end)
        {
            var message = (Interop.Sys.ControlMessageHeader*)cursor;
            int length = (int)message->Length;
            if (length < headerSpace || cursor + length > end)
            {
                return;
            }

            if (message->Level == Interop.Sys.SocketOptionLevel.Socket
                && message->Type == (int)Interop.Sys.SocketOptionName.ReceiveQueueOverflow
                && length >= headerSpace + sizeof(uint))
            {
                // Cumulative drops on this socket's queue since it was opened.
                counters.KernelDrops = Unsafe.ReadUnaligned<uint>(cursor + headerSpace);
            }

            cursor += Interop.Sys.ControlMessageHeader.Align(length);
        }
    }
}
