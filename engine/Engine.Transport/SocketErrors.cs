namespace Engine.Transport;

// Socket errors are classified in one place, so the receive and send loops only branch on the action.
internal static class SocketErrors
{
    internal static SocketErrorAction Classify(Interop.Error error) => error switch
    {
        Interop.Error.EINTR => SocketErrorAction.Retry,
        Interop.Error.EAGAIN => SocketErrorAction.WouldBlock,
        Interop.Error.EBADF or Interop.Error.ENOTSOCK or Interop.Error.EFAULT or Interop.Error.ENOMEM => SocketErrorAction.Abort,

        // ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EMSGSIZE, EAFNOSUPPORT, EINVAL, EPERM (firewall), ENOBUFS...
        _ => SocketErrorAction.Skip,
    };
}
