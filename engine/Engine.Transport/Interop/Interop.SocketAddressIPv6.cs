namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct sockaddr_in6 (28 bytes). Port, flow info and address are in network byte order.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SocketAddressIPv6
        {
            public AddressFamily Family;
            public ushort Port;
            public uint FlowInfo;
            public fixed byte Address[16];
            public uint ScopeId;
        }
    }
}
