namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <param name="epollEvent">An <see cref="EpollEventPacked"/> or <see cref="EpollEventAligned"/>, as <see cref="EpollEventIsPacked"/> says.</param>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_ctl", SetLastError = true)]
        internal static unsafe partial int EpollControl(SafeEpollHandle epoll, EpollOperation operation, int fd, void* epollEvent);
    }
}
