namespace Engine.Transport;

internal static partial class Interop
{
    internal static partial class Sys
    {
        /// <summary>struct pollfd.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFD
        {
            public int FileDescriptor;
            public PollEvents Events;
            public PollEvents ReturnedEvents;
        }
    }
}
