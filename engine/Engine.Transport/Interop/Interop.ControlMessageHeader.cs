namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct cmsghdr; its data starts at CMSG_ALIGN(sizeof(cmsghdr)) = 16.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ControlMessageHeader
        {
            public nuint Length;
            public SocketOptionLevel Level;
            public int Type;

            internal static int Align(int length) => (length + sizeof(long) - 1) & ~(sizeof(long) - 1);

            /// <summary>CMSG_LEN: header plus data, the value stored in <see cref="Length"/>.</summary>
            internal static unsafe int LengthFor(int dataLength) => Align(sizeof(ControlMessageHeader)) + dataLength;

            /// <summary>CMSG_SPACE: what one control message occupies in the buffer.</summary>
            internal static unsafe int SpaceFor(int dataLength) => Align(sizeof(ControlMessageHeader)) + Align(dataLength);
        }
    }
}
