namespace Engine.Transport;

// Values from the Linux uapi headers (asm-generic/socket.h, linux/udp.h, linux/in6.h, bits/socket.h);
// the same on x64 and arm64.
internal static partial class Interop
{
    internal static partial class Sys
    {
        internal enum AddressFamily : ushort
        {
            Inet = 2,
            Inet6 = 10,
        }

        [Flags]
        internal enum SocketType
        {
            Datagram = 2,
            NonBlocking = 0x800,
            CloseOnExec = 0x80000,
        }

        internal enum ProtocolType
        {
            Udp = 17,
        }

        internal enum SocketOptionLevel
        {
            Socket = 1,
            Udp = 17,
            IPv6 = 41,
        }

        internal enum SocketOptionName
        {
            // SOL_SOCKET
            SendBuffer = 7,
            ReceiveBuffer = 8,
            ReusePort = 15,
            SendBufferForce = 32,
            ReceiveBufferForce = 33,
            ReceiveQueueOverflow = 40,
            AttachReusePortCbpf = 51,

            // IPPROTO_IPV6
            IPv6Only = 26,

            // SOL_UDP
            UdpSegment = 103,
        }

        [Flags]
        internal enum MessageFlags
        {
            None = 0,
            Truncated = 0x20,
            ControlTruncated = 0x08,
            DontWait = 0x40,
        }

        [Flags]
        internal enum PollEvents : short
        {
            None = 0,
            In = 0x1,
            Out = 0x4,
            Error = 0x8,
            HangUp = 0x10,
            Invalid = 0x20,
        }
    }
}
