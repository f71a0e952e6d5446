namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct msghdr (56 bytes on 64-bit Linux; padding comes from natural alignment).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct MessageHeader
        {
            public byte* SocketAddress;
            public uint SocketAddressLen;
            public IOVector* IOVectors;
            public nuint IOVectorCount;
            public byte* ControlBuffer;
            public nuint ControlBufferLen;
            public MessageFlags Flags;
        }
    }
}
