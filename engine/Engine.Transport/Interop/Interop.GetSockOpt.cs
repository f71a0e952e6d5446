namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
        internal static unsafe partial int GetSockOpt(SafeUdpSocketHandle socket, SocketOptionLevel level, SocketOptionName name, void* value, uint* valueLen);
    }
}
