namespace Engine.Transport;

/// <summary>
/// Datagrams queued for one <see cref="BatchSocket.Send"/>: <see cref="Capacity"/> slots of
/// <see cref="MaxDatagramBytes"/> in one pinned slab. Write into <see cref="NextBuffer"/> then
/// <see cref="Commit"/> (zero copy), or use <see cref="TryAdd"/>. Owned by one thread.
/// </summary>
public sealed unsafe class SendBatch : IDisposable
{
    /// <summary>sendmmsg takes at most UIO_MAXIOV messages per call.</summary>
    internal const int MaxCapacity = 1024;

    /// <summary>The kernel's UDP_MAX_SEGMENTS on older kernels (newer ones allow more).</summary>
    internal const int MaxGsoSegments = 64;

    /// <summary>Largest UDP payload: a GSO message may not carry more in total.</summary>
    internal const int MaxGsoBytes = 65507;

    // A GSO segment larger than the path MTU is refused with EINVAL rather than fragmented, so only
    // segments that fit a 1500-byte Ethernet MTU are coalesced (IPv6 header: 40 bytes, UDP: 8).
    internal const int MaxGsoSegmentBytes = 1500 - 40 - 8;

    // CMSG_SPACE(sizeof(ushort)) = 24 bytes per message, in ulongs to keep cmsghdr 8-byte aligned.
    private const int ControlUlongsPerMessage = 3;

    private readonly int _maxDatagramBytes;
    private readonly byte[] _slab;
    private readonly PeerAddress[] _destinations;
    private readonly Interop.Sys.MultiMessageHeader[] _headers;
    private readonly Interop.Sys.IOVector[] _vectors;
    private readonly ulong[] _control;

    // Per built message: its first datagram and how many datagrams (GSO segments) it carries.
    private readonly int[] _messageFirst;
    private readonly int[] _messageSegments;

    private readonly Interop.Sys.MultiMessageHeader* _headersPointer;
    private readonly Interop.Sys.IOVector* _vectorsPointer;
    private readonly byte* _destinationsPointer;
    private readonly byte* _controlPointer;
    private int _count;
    private bool _disposed;

    public SendBatch(int capacity = 64, int maxDatagramBytes = 1500)
    {
        if (capacity is < 1 or > MaxCapacity)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity));
        }

        if (maxDatagramBytes is < 1 or > MaxGsoBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxDatagramBytes));
        }

        Capacity = capacity;
        _maxDatagramBytes = maxDatagramBytes;

        // Pinned object heap: the pointers below stay valid for the lifetime of this batch.
        _slab = GC.AllocateUninitializedArray<byte>(checked(capacity * maxDatagramBytes), pinned: true);
        _destinations = GC.AllocateArray<PeerAddress>(capacity, pinned: true);
        _headers = GC.AllocateArray<Interop.Sys.MultiMessageHeader>(capacity, pinned: true);
        _vectors = GC.AllocateArray<Interop.Sys.IOVector>(capacity, pinned: true);
        _control = GC.AllocateArray<ulong>(capacity * ControlUlongsPerMessage, pinned: true);
        _messageFirst = new int[capacity];
        _messageSegments = new int[capacity];

        _headersPointer = (Interop.Sys.MultiMessageHeader*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_headers));
        _vectorsPointer = (Interop.Sys.IOVector*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_vectors));
        _destinationsPointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_destinations));
        _controlPointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_control));
        byte* slab = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_slab));
        for (int i = 0; i < capacity; i++)
        {
            _vectorsPointer[i].Base = slab + ((nint)i * maxDatagramBytes);
        }
    }

    public int Capacity { get; }

    public int Count => _count;

    public bool IsFull => _count == Capacity;

    public int MaxDatagramBytes => _maxDatagramBytes;

    internal Interop.Sys.MultiMessageHeader* Headers => _headersPointer;

    /// <summary>
    /// The free slot for the next datagram, <see cref="MaxDatagramBytes"/> long; empty when the batch is full.
    /// Nothing is queued until <see cref="Commit"/>.
    /// </summary>
    public Span<byte> NextBuffer() =>
        _count < Capacity ? new Span<byte>(_slab, _count * _maxDatagramBytes, _maxDatagramBytes) : default;

    /// <summary>
    /// Queues the first <paramref name="length"/> bytes written into <see cref="NextBuffer"/>. A
    /// <c>default(PeerAddress)</c> destination sends to the socket's connected peer (see <see cref="BatchSocket.Connect"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The batch is full (check <see cref="IsFull"/>).</exception>
    public void Commit(in PeerAddress destination, int length)
    {
        if (_count >= Capacity)
        {
            ThrowHelper.ThrowInvalidOperation("the send batch is full");
        }

        if ((uint)length > (uint)_maxDatagramBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(length));
        }

        _destinations[_count] = destination;
        _vectorsPointer[_count].Count = (nuint)length;
        _count++;
    }

    /// <summary>Copies and queues a datagram; false when the batch is full or the datagram too long.</summary>
    public bool TryAdd(in PeerAddress destination, ReadOnlySpan<byte> datagram)
    {
        if (_count >= Capacity || datagram.Length > _maxDatagramBytes)
        {
            return false;
        }

        datagram.CopyTo(new Span<byte>(_slab, _count * _maxDatagramBytes, _maxDatagramBytes));
        _destinations[_count] = destination;
        _vectorsPointer[_count].Count = (nuint)datagram.Length;
        _count++;
        return true;
    }

    public void Clear() => _count = 0;

    public void Dispose()
    {
        // Managed pinned memory: nothing to free; disposing makes later sends fail loudly.
        _disposed = true;
        _count = 0;
    }

    private ReadOnlySpan<byte> Datagram(int index) =>
        new(_slab, index * _maxDatagramBytes, (int)_vectorsPointer[index].Count);

    /// <summary>Datagrams carried by built message <paramref name="message"/>.</summary>
    internal int SegmentsOf(int message) => _messageSegments[message];

    /// <summary>First datagram of built message <paramref name="message"/>.</summary>
    internal int FirstDatagramOf(int message) => _messageFirst[message];

    /// <summary>Datagrams from <paramref name="datagram"/> to the end of the batch.</summary>
    internal int DatagramsFrom(int datagram) => _count - datagram;

    /// <summary>
    /// Builds the message headers for the queued datagrams from <paramref name="firstDatagram"/> on and returns
    /// how many messages there are. With <paramref name="gso"/>, runs of datagrams to the same peer of equal size
    /// (the last may be shorter) become one message with one I/O vector per segment and a UDP_SEGMENT control
    /// message; the kernel splits it back into datagrams after one trip through the stack.
    /// </summary>
    internal int BuildMessages(int firstDatagram, bool gso)
    {
        if (_disposed)
        {
            ThrowHelper.ThrowObjectDisposed(this);
        }

        int count = _count;
        int messages = 0;
        int i = firstDatagram;
        while (i < count)
        {
            int start = i;
            int segmentSize = (int)_vectorsPointer[start].Count;
            int total = segmentSize;
            i++;
            uint key;
            if (gso
                && segmentSize is > 0 and <= MaxGsoSegmentBytes
                && (key = SteeringProgram.GsoKey(Datagram(start))) != SteeringProgram.NotCoalescable)
            {
                ref PeerAddress destination = ref _destinations[start];
                while (i < count && i - start < MaxGsoSegments)
                {
                    // Every segment but the last has the run's size, so the one before must be full. Segments
                    // must also steer alike, or a reuseport receiver on this host would get them on one socket.
                    int next = (int)_vectorsPointer[i].Count;
                    if ((int)_vectorsPointer[i - 1].Count != segmentSize
                        || next == 0
                        || next > segmentSize
                        || total + next > MaxGsoBytes
                        || !_destinations[i].Equals(destination)
                        || SteeringProgram.GsoKey(Datagram(i)) != key)
                    {
                        break;
                    }

                    total += next;
                    i++;
                }
            }

            int segments = i - start;
            ref Interop.Sys.MessageHeader header = ref _headersPointer[messages].Header;
            // No address (default) means the connected peer: the kernel wants a null name for that.
            int addressLength = _destinations[start].Length;
            header.SocketAddress = addressLength == 0 ? null : _destinationsPointer + ((nint)start * sizeof(PeerAddress));
            header.SocketAddressLen = (uint)addressLength;
            header.IOVectors = _vectorsPointer + start;
            header.IOVectorCount = (nuint)segments;
            header.Flags = 0;
            if (segments > 1)
            {
                byte* control = _controlPointer + ((nint)messages * ControlUlongsPerMessage * sizeof(ulong));
                var message = (Interop.Sys.ControlMessageHeader*)control;
                message->Length = (nuint)Interop.Sys.ControlMessageHeader.LengthFor(sizeof(ushort));
                message->Level = Interop.Sys.SocketOptionLevel.Udp;
                message->Type = (int)Interop.Sys.SocketOptionName.UdpSegment;
                Unsafe.WriteUnaligned(control + Interop.Sys.ControlMessageHeader.LengthFor(0), (ushort)segmentSize);
                header.ControlBuffer = control;
                header.ControlBufferLen = (nuint)Interop.Sys.ControlMessageHeader.SpaceFor(sizeof(ushort));
            }
            else
            {
                header.ControlBuffer = null;
                header.ControlBufferLen = 0;
            }

            _messageFirst[messages] = start;
            _messageSegments[messages] = segments;
            messages++;
        }

        return messages;
    }
}
