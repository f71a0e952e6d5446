namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <param name="events">Room for <paramref name="maxEvents"/> events in the layout <see cref="EpollEventIsPacked"/> names.</param>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_wait", SetLastError = true)]
        internal static unsafe partial int EpollWait(SafeEpollHandle epoll, void* events, int maxEvents, int timeoutMilliseconds);
    }
}
