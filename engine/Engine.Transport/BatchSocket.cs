using System.Net;
using System.Net.Sockets;

namespace Engine.Transport;

/// <summary>
/// One non-blocking UDP socket driven in batches (recvmmsg/sendmmsg, GSO). Owned by one shard thread:
/// <see cref="Receive"/>, <see cref="Send"/> and <see cref="WaitReadable"/> must not run concurrently.
/// </summary>
/// <remarks>
/// Shards share a port by opening one socket each with <see cref="BatchSocketOptions.ReusePort"/>, in shard
/// order 0..N-1, and keeping them all open: the kernel numbers the sockets of a reuseport group in bind order,
/// and the steering program returns that number (see <see cref="AttachSteeringProgram"/>). Closing a socket
/// moves the last one into its slot, which breaks the numbering for the whole group.
/// </remarks>
public sealed unsafe partial class BatchSocket : IDisposable
{
    private readonly SafeUdpSocketHandle _handle;
    private SocketCounters _counters;
    private bool _gsoEnabled;

    private BatchSocket(SafeUdpSocketHandle handle, IPEndPoint localEndPoint, bool isDualStack, int receiveBufferBytes, int sendBufferBytes, bool gsoEnabled)
    {
        _handle = handle;
        LocalEndPoint = localEndPoint;
        IsDualStack = isDualStack;
        ReceiveBufferBytes = receiveBufferBytes;
        SendBufferBytes = sendBufferBytes;
        _gsoEnabled = gsoEnabled;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// The receive buffer the kernel granted, as getsockopt(SO_RCVBUF) reports it: Linux doubles the requested
    /// value to account for its bookkeeping, and without CAP_NET_ADMIN caps the request at net.core.rmem_max.
    /// </summary>
    public int ReceiveBufferBytes { get; }

    /// <summary>The send buffer the kernel granted (getsockopt(SO_SNDBUF), see <see cref="ReceiveBufferBytes"/>).</summary>
    public int SendBufferBytes { get; }

    /// <summary>An AF_INET6 socket that also carries IPv4 (IPV6_V6ONLY = 0); IPv4 peers appear v4-mapped.</summary>
    public bool IsDualStack { get; }

    /// <summary>
    /// UDP GSO (UDP_SEGMENT) is available and used by <see cref="Send"/>. Probed at open; turned off for good if
    /// the kernel later refuses a segmented message (a device without checksum offload).
    /// </summary>
    public bool GsoEnabled => _gsoEnabled;

    public SocketCounters Counters => _counters;

    public static BatchSocket Open(BatchSocketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BindAddress);
        if (!TransportPlatform.IsSupported)
        {
            ThrowHelper.ThrowTransportException("BatchSocket needs Linux on x64 or arm64; this is " + TransportPlatform.Description);
        }

        if (options.Port is < 0 or > 65535)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options.Port));
        }

        if (options.ReceiveBufferBytes < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options.ReceiveBufferBytes));
        }

        if (options.SendBufferBytes < 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options.SendBufferBytes));
        }

        IPAddress address = options.BindAddress;
        var bindEndPoint = new IPEndPoint(address, options.Port);
        bool ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (!ipv6 && address.AddressFamily != AddressFamily.InterNetwork)
        {
            ThrowHelper.ThrowArgument("the bind address must be IPv4 or IPv6", nameof(options));
        }

        SafeUdpSocketHandle handle = Interop.Sys.Socket(
            ipv6 ? Interop.Sys.AddressFamily.Inet6 : Interop.Sys.AddressFamily.Inet,
            Interop.Sys.SocketType.Datagram | Interop.Sys.SocketType.NonBlocking | Interop.Sys.SocketType.CloseOnExec,
            Interop.Sys.ProtocolType.Udp);
        if (handle.IsInvalid)
        {
            Interop.Error error = Interop.GetLastError();
            handle.Dispose();
            ThrowHelper.ThrowTransportException("cannot create a UDP socket for " + Format(bindEndPoint), error);
        }

        try
        {
            // Dual-stack for the wildcard (and v4-mapped binds); a specific IPv6 address stays IPv6 only.
            bool dualStack = ipv6 && (address.Equals(IPAddress.IPv6Any) || address.IsIPv4MappedToIPv6);
            if (ipv6)
            {
                SetOption(handle, Interop.Sys.SocketOptionLevel.IPv6, Interop.Sys.SocketOptionName.IPv6Only, dualStack ? 0 : 1, "IPV6_V6ONLY");
            }

            if (options.ReusePort)
            {
                SetOption(handle, Interop.Sys.SocketOptionLevel.Socket, Interop.Sys.SocketOptionName.ReusePort, 1, "SO_REUSEPORT");
            }

            int receiveBuffer = SetBuffer(handle, Interop.Sys.SocketOptionName.ReceiveBufferForce, Interop.Sys.SocketOptionName.ReceiveBuffer, options.ReceiveBufferBytes, "SO_RCVBUF");
            int sendBuffer = SetBuffer(handle, Interop.Sys.SocketOptionName.SendBufferForce, Interop.Sys.SocketOptionName.SendBuffer, options.SendBufferBytes, "SO_SNDBUF");

            // Ask for the kernel's drop count with every datagram (a cmsg, only present once drops happened).
            SetOption(handle, Interop.Sys.SocketOptionLevel.Socket, Interop.Sys.SocketOptionName.ReceiveQueueOverflow, 1, "SO_RXQ_OVFL");

            // Segment size 0 means "no default segmentation": it only checks that the kernel knows UDP_SEGMENT.
            bool gso = TrySetOption(handle, Interop.Sys.SocketOptionLevel.Udp, Interop.Sys.SocketOptionName.UdpSegment, 0, out _);

            Bind(handle, bindEndPoint);
            IPEndPoint local = GetLocalEndPoint(handle, bindEndPoint);
            return new BatchSocket(handle, local, dualStack, receiveBuffer, sendBuffer, gso);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// connect(): from now on the socket receives only from <paramref name="peer"/>, and a datagram queued with
    /// <c>default(PeerAddress)</c> as its destination goes to it (the kernel also keeps the route, so such sends
    /// skip the per-datagram route lookup). Calling it again moves the socket to another peer, keeping its port.
    /// </summary>
    public void Connect(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        PeerAddress address = PeerAddress.FromEndPoint(peer, mapToIPv6: LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6);
        ReadOnlySpan<byte> bytes = address.Bytes;
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* pointer = bytes)
            {
                if (Interop.Sys.Connect(_handle, pointer, (uint)bytes.Length) != 0)
                {
                    ThrowHelper.ThrowTransportException("cannot connect " + Format(LocalEndPoint) + " to " + Format(peer), Interop.GetLastError());
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a datagram (or a pending error); false on timeout or EINTR.</summary>
    public bool WaitReadable(int timeoutMs) => PollFor(Interop.Sys.PollEvents.In, timeoutMs);

    /// <summary>The socket's descriptor, for readiness sets that wait on many sockets at once.</summary>
    internal SafeUdpSocketHandle Handle => _handle;

    public void Dispose() => _handle.Dispose();

    public override string ToString() => "BatchSocket " + Format(LocalEndPoint);

    private bool PollFor(Interop.Sys.PollEvents events, int timeoutMs)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            Interop.Sys.PollFD poll = default;
            poll.FileDescriptor = _handle.FileDescriptor;
            poll.Events = events;
            int ready = Interop.Sys.Poll(&poll, 1, timeoutMs);
            return ready > 0 && poll.ReturnedEvents != Interop.Sys.PollEvents.None;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private static void SetOption(SafeUdpSocketHandle handle, Interop.Sys.SocketOptionLevel level, Interop.Sys.SocketOptionName name, int value, string optionName)
    {
        if (!TrySetOption(handle, level, name, value, out Interop.Error error))
        {
            ThrowHelper.ThrowTransportException("setsockopt " + optionName + " failed", error);
        }
    }

    private static bool TrySetOption(SafeUdpSocketHandle handle, Interop.Sys.SocketOptionLevel level, Interop.Sys.SocketOptionName name, int value, out Interop.Error error)
    {
        if (Interop.Sys.SetSockOpt(handle, level, name, &value, sizeof(int)) == 0)
        {
            error = Interop.Error.SUCCESS;
            return true;
        }

        error = Interop.GetLastError();
        return false;
    }

    private static int GetOption(SafeUdpSocketHandle handle, Interop.Sys.SocketOptionLevel level, Interop.Sys.SocketOptionName name, string optionName)
    {
        int value = 0;
        uint length = sizeof(int);
        if (Interop.Sys.GetSockOpt(handle, level, name, &value, &length) != 0)
        {
            ThrowHelper.ThrowTransportException("getsockopt " + optionName + " failed", Interop.GetLastError());
        }

        return value;
    }

    /// <summary>The FORCE variant ignores net.core.[rw]mem_max but needs CAP_NET_ADMIN; fall back to the capped one.</summary>
    private static int SetBuffer(SafeUdpSocketHandle handle, Interop.Sys.SocketOptionName force, Interop.Sys.SocketOptionName plain, int bytes, string optionName)
    {
        if (bytes > 0
            && !TrySetOption(handle, Interop.Sys.SocketOptionLevel.Socket, force, bytes, out _))
        {
            SetOption(handle, Interop.Sys.SocketOptionLevel.Socket, plain, bytes, optionName);
        }

        return GetOption(handle, Interop.Sys.SocketOptionLevel.Socket, plain, optionName);
    }

    private static void Bind(SafeUdpSocketHandle handle, IPEndPoint endPoint)
    {
        PeerAddress address = PeerAddress.FromEndPoint(endPoint);
        ReadOnlySpan<byte> bytes = address.Bytes;
        fixed (byte* pointer = bytes)
        {
            if (Interop.Sys.Bind(handle, pointer, (uint)bytes.Length) != 0)
            {
                ThrowHelper.ThrowTransportException("cannot bind " + Format(endPoint), Interop.GetLastError());
            }
        }
    }

    private static IPEndPoint GetLocalEndPoint(SafeUdpSocketHandle handle, IPEndPoint bound)
    {
        byte* buffer = stackalloc byte[PeerAddress.MaxLength];
        uint length = PeerAddress.MaxLength;
        if (Interop.Sys.GetSockName(handle, buffer, &length) != 0)
        {
            ThrowHelper.ThrowTransportException("getsockname after binding " + Format(bound) + " failed", Interop.GetLastError());
        }

        return PeerAddress.FromSocketAddress(new ReadOnlySpan<byte>(buffer, (int)length)).ToEndPoint();
    }

    private static string Format(IPEndPoint endPoint) => endPoint.ToString();
}
