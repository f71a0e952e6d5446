namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // Only the safe handles (SafeUdpSocketHandle, SafeEpollHandle) call this.
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
