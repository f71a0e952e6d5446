using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Engine.Protocol.Security;

/// <summary>
/// AES-256-GCM under one key, for netstandard2.1 (Unity's Mono and IL2CPP), where neither AesGcm nor
/// the x86 instructions exist: the same surface as the other targets' cipher, over
/// <see cref="PortableAesGcm"/>. docs/CLIENT.md says why this and not BouncyCastle.
/// </summary>
internal sealed partial class AesGcmCipher : IDisposable
{
    private readonly PortableAesGcm _portable;

    public AesGcmCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"AES-256-GCM keys are {SecurityConstants.KeySize} bytes.", nameof(key));
        }
        _portable = new PortableAesGcm(key);
    }

    internal void Rekey(ReadOnlySpan<byte> key) => _portable.Rekey(key);

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        if (nonce.Length != SecurityConstants.NonceSize || tag.Length != SecurityConstants.TagSize || ciphertext.Length != plaintext.Length)
        {
            ThrowBadArguments();
        }
        if (PartlyOverlap(plaintext, ciphertext))
        {
            ThrowOverlap();
        }
        _portable.Seal(nonce, associatedData, plaintext, ciphertext, tag);
    }

    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (nonce.Length != SecurityConstants.NonceSize || tag.Length != SecurityConstants.TagSize || plaintext.Length != ciphertext.Length)
        {
            return false;
        }
        if (PartlyOverlap(ciphertext, plaintext))
        {
            ThrowOverlap();
        }
        return _portable.TryOpen(nonce, associatedData, ciphertext, tag, plaintext);
    }

    public void Dispose() => _portable.Dispose();

}
