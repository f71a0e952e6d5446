namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // Returns an invalid handle (-1) on failure; the caller reads errno.
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_create1", SetLastError = true)]
        internal static partial SafeEpollHandle EpollCreate(int flags);
    }
}
