namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct iovec.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct IOVector
        {
            public byte* Base;
            public nuint Count;
        }
    }
}
