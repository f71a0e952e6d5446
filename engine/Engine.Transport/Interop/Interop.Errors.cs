using System.Globalization;

namespace Engine.Transport;

internal static partial class Interop
{
    /// <summary>Linux errno values (asm-generic: identical on x64 and arm64).</summary>
    /// <remarks>Names are the C names on purpose: they are what an operator greps for.</remarks>
#pragma warning disable CA1707, IDE1006 // errno names are the C names
    internal enum Error
    {
        SUCCESS = 0,
        EPERM = 1,
        ENOENT = 2,
        EINTR = 4,
        EIO = 5,
        EBADF = 9,
        EAGAIN = 11,
        ENOMEM = 12,
        EACCES = 13,
        EFAULT = 14,
        EINVAL = 22,
        ENFILE = 23,
        EMFILE = 24,
        EPIPE = 32,
        ENOTSOCK = 88,
        EDESTADDRREQ = 89,
        EMSGSIZE = 90,
        ENOPROTOOPT = 92,
        EPROTONOSUPPORT = 93,
        EOPNOTSUPP = 95,
        EAFNOSUPPORT = 97,
        EADDRINUSE = 98,
        EADDRNOTAVAIL = 99,
        ENETDOWN = 100,
        ENETUNREACH = 101,
        ECONNRESET = 104,
        ENOBUFS = 105,
        ECONNREFUSED = 111,
        EHOSTDOWN = 112,
        EHOSTUNREACH = 113,
    }
#pragma warning restore CA1707, IDE1006

    internal static Error GetLastError() => (Error)Marshal.GetLastPInvokeError();

    /// <summary>"EADDRINUSE", or "errno 123" for values the enum does not name. Cold path.</summary>
    internal static string GetErrorName(Error error) =>
        Enum.IsDefined(error) ? error.ToString() : "errno " + ((int)error).ToString(CultureInfo.InvariantCulture);
}
