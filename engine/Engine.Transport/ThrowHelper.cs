using System.Diagnostics.CodeAnalysis;

namespace Engine.Transport;

// Throw sites stay out of the callers so that their fast paths inline and stay small.
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ThrowTransportException(string what, Interop.Error error) =>
        throw CreateTransportException(what, error);

    [DoesNotReturn]
    internal static void ThrowTransportException(string message) =>
        throw new TransportException(message);

    [DoesNotReturn]
    internal static void ThrowArgumentOutOfRange(string paramName) =>
        throw CreateArgumentOutOfRange(paramName);

    [DoesNotReturn]
    internal static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void ThrowIndexOutOfRange() =>
        throw new ArgumentOutOfRangeException("index");

    [DoesNotReturn]
    internal static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void ThrowObjectDisposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().Name);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TransportException CreateTransportException(string what, Interop.Error error) =>
        new(what + ": " + Interop.GetErrorName(error));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentOutOfRangeException CreateArgumentOutOfRange(string paramName) =>
        new(paramName);
}
