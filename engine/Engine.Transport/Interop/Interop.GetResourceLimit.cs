namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "getrlimit", SetLastError = true)]
        internal static unsafe partial int GetResourceLimit(Resource resource, ResourceLimit* limit);
    }
}
