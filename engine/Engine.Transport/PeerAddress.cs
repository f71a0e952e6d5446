using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Engine.Transport;

/// <summary>
/// A peer's socket address exactly as the kernel reports it (a sockaddr_in or sockaddr_in6, at most 28 bytes)
/// plus its length. Blittable so that recvmmsg writes sources straight into an array of these and sendmmsg
/// reads destinations straight from one: no conversion on the hot path.
/// </summary>
/// <remarks>
/// Equality compares the family, port and address (and the IPv6 scope id), not the flow label. An IPv4
/// address and its v4-mapped IPv6 form are different socket addresses and are not equal; they do give the
/// same <see cref="WriteCanonicalBytes"/>. A given socket always reports a peer in one form (a dual-stack
/// socket reports IPv4 peers as v4-mapped), so lookups keyed on sources are consistent.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct PeerAddress : IEquatable<PeerAddress>
{
    /// <summary>16-byte IPv6 (or v4-mapped) address followed by the 2-byte port in network order.</summary>
    public const int CanonicalLength = 18;

    /// <summary>sizeof(struct sockaddr_in6), the largest address this type holds.</summary>
    internal const int MaxLength = 28;

    internal const int IPv4Length = 16;
    internal const int IPv6Length = 28;

    // sockaddr offsets: family (native order) at 0, port (network order) at 2;
    // sockaddr_in: address at 4; sockaddr_in6: flow info at 4, address at 8, scope id at 24.
    private const int PortOffset = 2;
    private const int IPv4AddressOffset = 4;
    private const int IPv6AddressOffset = 8;
    private const int IPv6ScopeOffset = 24;

    private readonly SocketAddressBytes _bytes;
    private readonly int _length;

    private PeerAddress(in SocketAddressBytes bytes, int length)
    {
        _bytes = bytes;
        _length = length;
    }

    /// <summary>True for an AF_INET6 address (including v4-mapped addresses from dual-stack sockets).</summary>
    public bool IsIPv6 => Family == Interop.Sys.AddressFamily.Inet6;

    public int Port => _length == 0 ? 0 : BinaryPrimitives.ReadUInt16BigEndian(Bytes.Slice(PortOffset, 2));

    /// <summary>False for <c>default(PeerAddress)</c>.</summary>
    public bool IsValid => _length != 0;

    /// <summary>The sockaddr length in bytes (16 or 28), 0 for <c>default</c>.</summary>
    public int Length => _length;

    internal Interop.Sys.AddressFamily Family =>
        _length == 0 ? 0 : (Interop.Sys.AddressFamily)Unsafe.ReadUnaligned<ushort>(ref First);

    /// <summary>The raw sockaddr bytes.</summary>
    internal ReadOnlySpan<byte> Bytes => MemoryMarshal.CreateReadOnlySpan(ref First, _length);

    private ref byte First => ref Unsafe.As<SocketAddressBytes, byte>(ref Unsafe.AsRef(in _bytes));

    public static bool operator ==(PeerAddress left, PeerAddress right) => left.Equals(right);

    public static bool operator !=(PeerAddress left, PeerAddress right) => !left.Equals(right);

    /// <summary>An IPv4 end point stays AF_INET (for IPv4 sockets). Use the overload to map it for dual-stack sockets.</summary>
    public static PeerAddress FromEndPoint(IPEndPoint endPoint) => FromEndPoint(endPoint, mapToIPv6: false);

    /// <summary>
    /// <paramref name="mapToIPv6"/> turns an IPv4 end point into its v4-mapped AF_INET6 form, which is how a
    /// dual-stack socket reports IPv4 peers.
    /// </summary>
    public static PeerAddress FromEndPoint(IPEndPoint endPoint, bool mapToIPv6)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        IPAddress address = endPoint.Address;
        SocketAddressBytes bytes = default;
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt16BigEndian(span.Slice(PortOffset), (ushort)endPoint.Port);

        if (address.AddressFamily == AddressFamily.InterNetwork && !mapToIPv6)
        {
            MemoryMarshal.Write(span, (ushort)Interop.Sys.AddressFamily.Inet);
            address.TryWriteBytes(span.Slice(IPv4AddressOffset, 4), out _);
            return new PeerAddress(bytes, IPv4Length);
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address = address.MapToIPv6();
        }
        else if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            ThrowHelper.ThrowArgument("only IPv4 and IPv6 end points are supported", nameof(endPoint));
        }

        MemoryMarshal.Write(span, (ushort)Interop.Sys.AddressFamily.Inet6);
        address.TryWriteBytes(span.Slice(IPv6AddressOffset, 16), out _);
        MemoryMarshal.Write(span.Slice(IPv6ScopeOffset), (uint)address.ScopeId);
        return new PeerAddress(bytes, IPv6Length);
    }

    /// <summary>Builds an address from raw sockaddr bytes (for example from getsockname). Cold path.</summary>
    internal static PeerAddress FromSocketAddress(ReadOnlySpan<byte> socketAddress)
    {
        SocketAddressBytes bytes = default;
        int length = Math.Min(socketAddress.Length, MaxLength);
        socketAddress.Slice(0, length).CopyTo(bytes);
        return new PeerAddress(bytes, length);
    }

    /// <summary>Sets the length the kernel reported after it wrote a source address in place.</summary>
    internal static void SetLength(ref PeerAddress address, int length) =>
        Unsafe.AsRef(in address._length) = length;

    /// <summary>Cold path: allocates.</summary>
    public IPEndPoint ToEndPoint()
    {
        ReadOnlySpan<byte> bytes = _bytes;
        switch (Family)
        {
            case Interop.Sys.AddressFamily.Inet when _length >= IPv4Length:
                return new IPEndPoint(new IPAddress(bytes.Slice(IPv4AddressOffset, 4)), Port);
            case Interop.Sys.AddressFamily.Inet6 when _length >= IPv6Length:
                long scope = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(IPv6ScopeOffset));
                return new IPEndPoint(new IPAddress(bytes.Slice(IPv6AddressOffset, 16), scope), Port);
            default:
                ThrowHelper.ThrowInvalidOperation("the peer address is empty or of an unsupported family");
                return null;
        }
    }

    /// <summary>
    /// Writes <see cref="CanonicalLength"/> bytes that identify the peer whatever the socket family: the
    /// 16-byte IPv6 address (IPv4 as v4-mapped) then the port in network order. Used as MAC input by the
    /// handshake, so that a cookie does not depend on whether the server socket is dual-stack.
    /// </summary>
    /// <returns>The number of bytes written (<see cref="CanonicalLength"/>).</returns>
    public int WriteCanonicalBytes(Span<byte> destination)
    {
        if (destination.Length < CanonicalLength)
        {
            ThrowHelper.ThrowArgument("the destination is shorter than PeerAddress.CanonicalLength", nameof(destination));
        }

        destination = destination.Slice(0, CanonicalLength);
        ReadOnlySpan<byte> bytes = _bytes;
        switch (Family)
        {
            case Interop.Sys.AddressFamily.Inet:
                destination.Slice(0, 10).Clear();
                destination[10] = 0xFF;
                destination[11] = 0xFF;
                bytes.Slice(IPv4AddressOffset, 4).CopyTo(destination.Slice(12));
                break;
            case Interop.Sys.AddressFamily.Inet6:
                bytes.Slice(IPv6AddressOffset, 16).CopyTo(destination);
                break;
            default:
                destination.Clear();
                return CanonicalLength;
        }

        bytes.Slice(PortOffset, 2).CopyTo(destination.Slice(16));
        return CanonicalLength;
    }

    public bool Equals(PeerAddress other)
    {
        if (_length != other._length)
        {
            return false;
        }

        ref byte a = ref First;
        ref byte b = ref other.First;

        // Family, port and (for IPv4) the address are the first 8 bytes.
        ulong head = Unsafe.ReadUnaligned<ulong>(ref a);
        ulong otherHead = Unsafe.ReadUnaligned<ulong>(ref b);
        if ((ushort)head != (ushort)Interop.Sys.AddressFamily.Inet6)
        {
            return head == otherHead;
        }

        // IPv6: family and port, then address and scope id; the flow label (bytes 4..7) is not identity.
        return (uint)head == (uint)otherHead
            && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, IPv6AddressOffset)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, IPv6AddressOffset))
            && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, IPv6AddressOffset + 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, IPv6AddressOffset + 8))
            && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref a, IPv6ScopeOffset)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, IPv6ScopeOffset));
    }

    public override bool Equals(object? obj) => obj is PeerAddress other && Equals(other);

    public override int GetHashCode()
    {
        ref byte a = ref First;
        ulong head = Unsafe.ReadUnaligned<ulong>(ref a);
        if ((ushort)head != (ushort)Interop.Sys.AddressFamily.Inet6)
        {
            return HashCode.Combine(head);
        }

        return HashCode.Combine(
            (uint)head,
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, IPv6AddressOffset)),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, IPv6AddressOffset + 8)),
            Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref a, IPv6ScopeOffset)));
    }

    /// <summary>"127.0.0.1:5000" or "[::1]:5000". Cold path: allocates.</summary>
    public override string ToString() => _length == 0 ? "(none)" : ToEndPoint().ToString();

    [InlineArray(MaxLength)]
    private struct SocketAddressBytes
    {
        private byte _element0;
    }
}
