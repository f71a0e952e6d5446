namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        // The timeout of recvmmsg is only checked after a datagram arrives, so it is always null here.
        [LibraryImport(Libraries.Libc, EntryPoint = "recvmmsg", SetLastError = true)]
        internal static unsafe partial int ReceiveMultipleMessages(SafeUdpSocketHandle socket, MultiMessageHeader* messages, uint messageCount, MessageFlags flags, void* timeout);
    }
}
