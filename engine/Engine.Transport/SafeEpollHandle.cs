namespace Engine.Transport;

/// <summary>Owns an epoll instance's file descriptor.</summary>
internal sealed class SafeEpollHandle : SafeHandle
{
    // Public and parameterless: the LibraryImport generator creates the instance returned by epoll_create1().
    public SafeEpollHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle() => Interop.Sys.Close((int)handle) == 0;
}
