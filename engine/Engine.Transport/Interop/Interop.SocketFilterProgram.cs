namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct sock_fprog.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SocketFilterProgram
        {
            public ushort Length;
            public SocketFilter* Filter;
        }
    }
}
