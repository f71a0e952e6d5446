using System.Security.Cryptography;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Security;

/// <summary>AES-GCM opening that fails by returning false, for paths that must never throw.</summary>
internal static class Aead
{
    /// <summary>
    /// Decrypts and verifies without an exception (the framework's Decrypt throws on a bad tag, which
    /// allocates and costs microseconds per forged packet). GCM's keystream depends only on the key and
    /// nonce, so encrypting the ciphertext yields the plaintext; encrypting that plaintext again yields
    /// the ciphertext's genuine tag, which is compared in constant time. <paramref name="plaintext"/> may
    /// be the ciphertext's own buffer (in place); on failure it holds the ciphertext again.
    /// </summary>
    public static bool TryOpen(AesGcm aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        if (ciphertext.Length > ProtocolConstants.MaxDatagram || plaintext.Length != ciphertext.Length || tag.Length != SecurityConstants.TagSize)
        {
            return false;
        }
        Span<byte> expectedTag = stackalloc byte[SecurityConstants.TagSize];
        Span<byte> check = stackalloc byte[ProtocolConstants.MaxDatagram];
        check = check.Slice(0, ciphertext.Length);
        aes.Encrypt(nonce, ciphertext, plaintext, expectedTag, associatedData); // plaintext = ciphertext xor keystream
        aes.Encrypt(nonce, plaintext, check, expectedTag, associatedData);      // check = the ciphertext, with its real tag
        if (CryptographicOperations.FixedTimeEquals(expectedTag, tag))
        {
            return true;
        }
        check.CopyTo(plaintext);
        return false;
    }
}
