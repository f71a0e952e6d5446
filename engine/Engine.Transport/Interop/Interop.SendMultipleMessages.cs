namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "sendmmsg", SetLastError = true)]
        internal static unsafe partial int SendMultipleMessages(SafeUdpSocketHandle socket, MultiMessageHeader* messages, uint messageCount, MessageFlags flags);
    }
}
