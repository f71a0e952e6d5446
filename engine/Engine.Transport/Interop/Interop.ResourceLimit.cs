namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct rlimit on LP64 Linux: the soft and the hard limit (RLIM_INFINITY is all ones).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ResourceLimit
        {
            public ulong Current;
            public ulong Maximum;
        }

        internal enum Resource
        {
            /// <summary>RLIMIT_NOFILE (7 on x64 and arm64 Linux).</summary>
            OpenFiles = 7,
        }
    }
}
