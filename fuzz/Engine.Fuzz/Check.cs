using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Engine.Fuzz;

/// <summary>Invariant checks of the fuzz targets; a failure is a crash for afl-fuzz.</summary>
internal static class Check
{
    public static void That([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            Fail(message);
        }
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Fail($"{what}: expected {expected}, got {actual}");
        }
    }

    public static void Bytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        if (!expected.SequenceEqual(actual))
        {
            Fail($"{what}: expected {Convert.ToHexString(expected)}, got {Convert.ToHexString(actual)}");
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(string message) => throw new FuzzInvariantException(message);
}
