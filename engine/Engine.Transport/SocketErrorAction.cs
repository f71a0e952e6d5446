namespace Engine.Transport;

/// <summary>What the data path does about a failed recvmmsg/sendmmsg; see <see cref="SocketErrors.Classify"/>.</summary>
internal enum SocketErrorAction
{
    /// <summary>Interrupted by a signal: try again at once.</summary>
    Retry,

    /// <summary>Nothing to read, or no room to write (EAGAIN).</summary>
    WouldBlock,

    /// <summary>This datagram (or message) failed on its own (bad destination, unreachable, refused): skip it.</summary>
    Skip,

    /// <summary>The socket itself is unusable (closed fd, bad memory): give up on this batch.</summary>
    Abort,
}
