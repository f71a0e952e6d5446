namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int SetSockOpt(SafeUdpSocketHandle socket, SocketOptionLevel level, SocketOptionName name, void* value, uint valueLen);
    }
}
