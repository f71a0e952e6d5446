using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Engine.Protocol.Security;

/// <summary>The argument checks every target's cipher makes the same way, with the framework's AesGcm messages.</summary>
internal sealed partial class AesGcmCipher
{
    private static bool PartlyOverlap(ReadOnlySpan<byte> input, ReadOnlySpan<byte> output) =>
        input.Overlaps(output, out var offset) && offset != 0;

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadArguments() =>
        throw new ArgumentException($"AES-256-GCM takes a {SecurityConstants.NonceSize}-byte nonce, a {SecurityConstants.TagSize}-byte tag and equally long plaintext and ciphertext.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverlap() =>
        throw new ArgumentException("The input and output buffers must be the same memory or not overlap.");
}
