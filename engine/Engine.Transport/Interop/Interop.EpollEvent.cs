namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>EPOLL* event bits of struct epoll_event.</summary>
        [Flags]
        internal enum EpollEvents : uint
        {
            None = 0,
            In = 0x001,
            Error = 0x008,
            HangUp = 0x010,
        }

        /// <summary>epoll_ctl operations.</summary>
        internal enum EpollOperation
        {
            Add = 1,
            Delete = 2,
            Modify = 3,
        }

        /// <summary>EPOLL_CLOEXEC (= O_CLOEXEC).</summary>
        internal const int EpollCloseOnExec = 0x80000;

        /// <summary>
        /// struct epoll_event as x86-64 lays it out: the kernel declares it packed there (12 bytes,
        /// the data field at offset 4) so that 32- and 64-bit processes share one layout.
        /// </summary>
        [StructLayout(LayoutKind.Sequential, Pack = 4)]
        internal struct EpollEventPacked
        {
            public EpollEvents Events;
            public ulong Data;
        }

        /// <summary>struct epoll_event on the other 64-bit ABIs (arm64): naturally aligned, 16 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct EpollEventAligned
        {
            public EpollEvents Events;
            public ulong Data;
        }

        /// <summary>Which of the two layouts this process's kernel ABI uses.</summary>
        internal static readonly bool EpollEventIsPacked = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
    }
}
