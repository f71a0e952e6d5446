using System.Buffers;
using System.Security.Cryptography;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Security;

/// <summary>The path for CPUs without AES-NI and PCLMULQDQ: the framework's AesGcm (OpenSSL on Linux).</summary>
internal sealed partial class AesGcmCipher
{
    /// <summary>
    /// Opens without an exception (the framework's Decrypt throws on a bad tag, which allocates and costs
    /// microseconds per forged packet). GCM's keystream depends only on the key and nonce, so encrypting
    /// the ciphertext yields the plaintext, and encrypting that yields the ciphertext's genuine tag, which
    /// is compared in constant time; the plaintext leaves the scratch space only when it matches.
    /// </summary>
    private static bool TryOpenFramework(AesGcm aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData,
        ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        var length = ciphertext.Length;
        byte[]? rented = null;
        // Datagrams fit on the stack; only larger messages (never from the network) rent.
        var scratch = length <= ProtocolConstants.MaxDatagram
            ? stackalloc byte[2 * ProtocolConstants.MaxDatagram]
            : (rented = ArrayPool<byte>.Shared.Rent(2 * length));
        var decrypted = scratch.Slice(0, length);
        var check = scratch.Slice(length, length);
        Span<byte> expectedTag = stackalloc byte[SecurityConstants.TagSize];
        aes.Encrypt(nonce, ciphertext, decrypted, expectedTag, associatedData);
        aes.Encrypt(nonce, decrypted, check, expectedTag, associatedData);
        var genuine = CryptographicOperations.FixedTimeEquals(expectedTag, tag);
        if (genuine)
        {
            decrypted.CopyTo(plaintext);
        }
        CryptographicOperations.ZeroMemory(decrypted);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return genuine;
    }
}
