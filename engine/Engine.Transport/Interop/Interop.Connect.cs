namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
        internal static unsafe partial int Connect(SafeUdpSocketHandle socket, byte* socketAddress, uint socketAddressLen);
    }
}
