namespace Engine.Transport;

// The interop class lives in the root namespace of the assembly (as dotnet/runtime keeps it global)
// so that call sites read Interop.Sys.X; its files live under Interop/.
internal static partial class Interop
{
    internal static class Libraries
    {
        // The runtime maps "libc" to the C library of the platform (libc.so.6 on glibc).
        internal const string Libc = "libc";
    }
}
