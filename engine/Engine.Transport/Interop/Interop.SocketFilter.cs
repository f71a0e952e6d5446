namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct sock_filter: one classic BPF instruction.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal readonly struct SocketFilter(ushort code, byte jumpTrue, byte jumpFalse, uint k)
        {
            public readonly ushort Code = code;
            public readonly byte JumpTrue = jumpTrue;
            public readonly byte JumpFalse = jumpFalse;
            public readonly uint K = k;
        }
    }
}
