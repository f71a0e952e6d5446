namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct sockaddr_in (16 bytes). Port and address are in network byte order.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SocketAddressIPv4
        {
            public AddressFamily Family;
            public ushort Port;
            public uint Address;
            public ulong Zero;
        }
    }
}
