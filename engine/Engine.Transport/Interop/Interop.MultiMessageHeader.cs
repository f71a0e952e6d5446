namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct mmsghdr (64 bytes on 64-bit Linux): one message of recvmmsg/sendmmsg.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MultiMessageHeader
        {
            public MessageHeader Header;

            /// <summary>Bytes received or sent for this message, written by the kernel.</summary>
            public uint Length;
        }
    }
}
