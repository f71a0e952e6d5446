using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AesNi = System.Runtime.Intrinsics.X86.Aes;
using System.Security.Cryptography;

namespace Engine.Protocol.Security;

/// <summary>
/// AES-256-GCM under one key (32-byte key, 12-byte nonce, 16-byte tag), created once per session
/// direction and allocation-free afterwards. On x86 with AES-NI and PCLMULQDQ it runs managed on
/// those instructions (no interop, one GHASH pass before anything is decrypted); elsewhere it uses
/// the framework's AesGcm with the same results and the same never-throwing open. Constant time:
/// no table lookups and no branches on secret data. One thread at a time.
/// </summary>
internal sealed partial class AesGcmCipher : IDisposable
{
    private AesGcm? _framework;
    private RoundKeys _roundKeys;
    private HashKeyPowers _hashKeys;
    private bool _disposed;

    public AesGcmCipher(ReadOnlySpan<byte> key)
        : this(key, forceFramework: false)
    {
    }

    /// <param name="forceFramework">Use the framework's AesGcm even where the instructions exist (tests and benchmarks compare both).</param>
    internal AesGcmCipher(ReadOnlySpan<byte> key, bool forceFramework)
    {
        if (key.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"AES-256-GCM keys are {SecurityConstants.KeySize} bytes.", nameof(key));
        }
        if (IsHardwareAccelerated && !forceFramework)
        {
            ExpandKey(key);
        }
        else
        {
            _framework = new AesGcm(key, SecurityConstants.TagSize);
        }
    }

    /// <summary>
    /// Starts over under another key, on the same path: the session keys of a pooled
    /// <see cref="PacketProtection"/>. The managed path expands the key into the same fields (nothing
    /// allocated); the framework's AesGcm cannot change its key, so that path makes a new one.
    /// </summary>
    internal void Rekey(ReadOnlySpan<byte> key)
    {
        if (key.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"AES-256-GCM keys are {SecurityConstants.KeySize} bytes.", nameof(key));
        }
        if (_framework is null)
        {
            ExpandKey(key);
        }
        else
        {
            _framework.Dispose();
            _framework = new AesGcm(key, SecurityConstants.TagSize);
        }
        _disposed = false;
    }

    /// <summary>Whether this CPU runs the managed AES-NI and PCLMULQDQ path.</summary>
    public static bool IsHardwareAccelerated => AesNi.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported;

    /// <summary>Whether this instance runs on the CPU's instructions (false: the framework's AesGcm).</summary>
    public bool UsesIntrinsics => _framework is null;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (the same buffer, or one
    /// that does not overlap it) and writes the 16-byte tag over the associated data and the ciphertext.
    /// </summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != SecurityConstants.NonceSize || tag.Length != SecurityConstants.TagSize || ciphertext.Length != plaintext.Length)
        {
            ThrowBadArguments();
        }
        if (PartlyOverlap(plaintext, ciphertext))
        {
            ThrowOverlap();
        }
        if (_framework is null)
        {
            SealIntrinsics(nonce, associatedData, plaintext, ciphertext, tag);
        }
        else
        {
            _framework.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
    }

    /// <summary>
    /// Verifies the tag over the associated data and the ciphertext, in constant time, and only then
    /// decrypts into <paramref name="plaintext"/> (which may be the ciphertext's own buffer). False, with
    /// <paramref name="plaintext"/> untouched, for a wrong tag or wrongly sized input; never throws on
    /// what a datagram can contain.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (nonce.Length != SecurityConstants.NonceSize || tag.Length != SecurityConstants.TagSize || plaintext.Length != ciphertext.Length)
        {
            return false;
        }
        if (PartlyOverlap(ciphertext, plaintext))
        {
            ThrowOverlap();
        }
        return _framework is null
            ? TryOpenIntrinsics(nonce, associatedData, ciphertext, tag, plaintext)
            : TryOpenFramework(_framework, nonce, associatedData, ciphertext, tag, plaintext);
    }

    /// <summary>Zeroes the round keys and the hash key powers; the instance is unusable afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ZeroKeyMaterial();
        _framework?.Dispose();
    }

}
