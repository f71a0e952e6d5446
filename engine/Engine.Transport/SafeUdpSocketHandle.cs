namespace Engine.Transport;

/// <summary>Owns the file descriptor of one UDP socket; closing it is the only way the fd is released.</summary>
internal sealed class SafeUdpSocketHandle : SafeHandle
{
    // Public and parameterless: the LibraryImport generator creates the instance returned by socket().
    public SafeUdpSocketHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle < 0;

    internal int FileDescriptor => (int)handle;

    protected override bool ReleaseHandle() => Interop.Sys.Close((int)handle) == 0;
}
