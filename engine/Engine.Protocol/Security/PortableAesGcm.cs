using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Engine.Protocol.Security;

/// <summary>
/// AES-256-GCM for runtimes without System.Security.Cryptography.AesGcm or the x86 instructions
/// (netstandard2.1: Unity's Mono and IL2CPP). Counter mode runs on the platform's AES block cipher
/// (<see cref="Aes"/> in ECB mode over a batch of counter blocks: OpenSSL or CNG on .NET, Mono's own
/// on Unity); GHASH is managed and constant time, carry-less multiplication done with integer
/// multiplies on sparse operands (the method of BearSSL's ghash_ctmul64). Allocation-free per
/// packet; one thread at a time. Byte-identical to every other AES-256-GCM.
/// </summary>
internal sealed class PortableAesGcm : IDisposable
{
    private const int BlockSize = 16;

    /// <summary>Counter blocks encrypted per call into the platform: a whole 1472-byte datagram and J0.</summary>
    private const int BatchBlocks = 96;

    private readonly Aes _aes;
    private readonly byte[] _counters = new byte[BatchBlocks * BlockSize];
    private readonly byte[] _keystream = new byte[BatchBlocks * BlockSize];
    private ICryptoTransform _ecb;
    private ulong _h0, _h1, _h0Reversed, _h1Reversed;
    private bool _disposed;

    public PortableAesGcm(ReadOnlySpan<byte> key)
    {
        _aes = CreateAes();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        Rekey(key);
    }

    /// <summary>
    /// On Mono, Aes.Create() looks its class up by name (CryptoConfig), which IL2CPP's stripping can
    /// break; constructing it directly keeps it visible to the linker.
    /// </summary>
#if NET
    private static Aes CreateAes() => Aes.Create();
#else
    private static AesManaged CreateAes() => new();
#endif

    /// <summary>Starts over under another key (allocates: a new platform transform; session setup only).</summary>
    [MemberNotNull(nameof(_ecb))]
    public void Rekey(ReadOnlySpan<byte> key)
    {
        if (key.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"AES-256-GCM keys are {SecurityConstants.KeySize} bytes.", nameof(key));
        }
        var keyCopy = key.ToArray();
        _aes.Key = keyCopy;
        CryptographicOperations.ZeroMemory(keyCopy);
        _ecb?.Dispose();
        _ecb = _aes.CreateEncryptor();
        // H = AES(K, 0^128), kept as two big-endian halves and their bit reversals.
        Array.Clear(_counters, 0, BlockSize);
        _ecb.TransformBlock(_counters, 0, BlockSize, _keystream, 0);
        _h1 = BinaryPrimitives.ReadUInt64BigEndian(_keystream);
        _h0 = BinaryPrimitives.ReadUInt64BigEndian(_keystream.AsSpan(8));
        _h1Reversed = Reverse(_h1);
        _h0Reversed = Reverse(_h0);
        CryptographicOperations.ZeroMemory(_keystream);
        _disposed = false;
    }

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        ThrowIfDisposed();
        Span<byte> tagMask = stackalloc byte[BlockSize];
        CounterMode(nonce, plaintext, ciphertext, tagMask);
        Ghash(associatedData, ciphertext, tag);
        Xor(tag, tagMask);
        CryptographicOperations.ZeroMemory(tagMask);
    }

    /// <summary>Checks the tag in constant time before anything is decrypted; false leaves the plaintext untouched.</summary>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        ThrowIfDisposed();
        Span<byte> expected = stackalloc byte[BlockSize];
        Ghash(associatedData, ciphertext, expected);
        Span<byte> tagMask = stackalloc byte[BlockSize];
        EncryptCounters(nonce, firstCounter: 1, blocks: 1);
        _keystream.AsSpan(0, BlockSize).CopyTo(tagMask);
        Xor(expected, tagMask);
        var genuine = CryptographicOperations.FixedTimeEquals(expected, tag);
        CryptographicOperations.ZeroMemory(tagMask);
        if (genuine)
        {
            CounterMode(nonce, ciphertext, plaintext, tagMask);
        }
        return genuine;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _h0 = _h1 = _h0Reversed = _h1Reversed = 0;
        CryptographicOperations.ZeroMemory(_keystream);
        _ecb.Dispose();
        _aes.Dispose();
    }

    /// <summary>XORs the keystream of counters 2, 3, ... over the input; the tag's mask E(J0) (counter 1) comes out too.</summary>
    private void CounterMode(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, Span<byte> tagMask)
    {
        // The first batch carries J0 in front of the payload's blocks: one call into the platform for a game packet.
        var blocks = Math.Min(BatchBlocks, 1 + BlockCount(input.Length));
        EncryptCounters(nonce, firstCounter: 1, blocks);
        _keystream.AsSpan(0, BlockSize).CopyTo(tagMask);
        var done = Math.Min(input.Length, (blocks - 1) * BlockSize);
        XorKeystream(input.Slice(0, done), output.Slice(0, done), _keystream.AsSpan(BlockSize));
        var counter = (uint)blocks + 1;
        while (done < input.Length)
        {
            var length = Math.Min(input.Length - done, BatchBlocks * BlockSize);
            blocks = BlockCount(length);
            EncryptCounters(nonce, counter, blocks);
            XorKeystream(input.Slice(done, length), output.Slice(done, length), _keystream);
            counter += (uint)blocks;
            done += length;
        }
    }

    /// <summary>Encrypts the counter blocks nonce || firstCounter, nonce || firstCounter + 1, ... into the keystream buffer.</summary>
    private void EncryptCounters(ReadOnlySpan<byte> nonce, uint firstCounter, int blocks)
    {
        var counters = _counters.AsSpan();
        for (var i = 0; i < blocks; i++)
        {
            var block = counters.Slice(i * BlockSize, BlockSize);
            nonce.CopyTo(block);
            BinaryPrimitives.WriteUInt32BigEndian(block.Slice(SecurityConstants.NonceSize), firstCounter + (uint)i);
        }
        _ecb.TransformBlock(_counters, 0, blocks * BlockSize, _keystream, 0);
    }

    private static void XorKeystream(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        for (; i + sizeof(ulong) <= input.Length; i += sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(i),
                BinaryPrimitives.ReadUInt64LittleEndian(input.Slice(i)) ^ BinaryPrimitives.ReadUInt64LittleEndian(keystream.Slice(i)));
        }
        for (; i < input.Length; i++)
        {
            output[i] = (byte)(input[i] ^ keystream[i]);
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> mask)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= mask[i];
        }
    }

    private static int BlockCount(int length) => (length + BlockSize - 1) / BlockSize;

    /// <summary>GHASH(H, A, C): both zero-padded to whole blocks, then the block of their lengths in bits.</summary>
    private void Ghash(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> result)
    {
        ulong y1 = 0, y0 = 0;
        Absorb(associatedData, ref y1, ref y0);
        Absorb(ciphertext, ref y1, ref y0);
        Multiply(ref y1, ref y0, (ulong)associatedData.Length * 8, (ulong)ciphertext.Length * 8);
        BinaryPrimitives.WriteUInt64BigEndian(result, y1);
        BinaryPrimitives.WriteUInt64BigEndian(result.Slice(8), y0);
    }

    private void Absorb(ReadOnlySpan<byte> data, ref ulong y1, ref ulong y0)
    {
        var whole = data.Length & ~(BlockSize - 1);
        for (var i = 0; i < whole; i += BlockSize)
        {
            Multiply(ref y1, ref y0, BinaryPrimitives.ReadUInt64BigEndian(data.Slice(i)), BinaryPrimitives.ReadUInt64BigEndian(data.Slice(i + 8)));
        }
        if (whole < data.Length)
        {
            Span<byte> last = stackalloc byte[BlockSize];
            last.Clear();
            data.Slice(whole).CopyTo(last);
            Multiply(ref y1, ref y0, BinaryPrimitives.ReadUInt64BigEndian(last), BinaryPrimitives.ReadUInt64BigEndian(last.Slice(8)));
        }
    }

    /// <summary>
    /// y = (y ^ x) * H in GF(2^128) with GCM's reflected bits. Karatsuba over 64-bit halves; the upper
    /// halves of the products come from the bit-reversed operands; then the shift and reduction by
    /// x^128 + x^7 + x^2 + x + 1. No table and no branch depends on the data.
    /// </summary>
    private void Multiply(ref ulong y1, ref ulong y0, ulong x1, ulong x0)
    {
        y1 ^= x1;
        y0 ^= x0;
        var y0Reversed = Reverse(y0);
        var y1Reversed = Reverse(y1);
        var y2 = y0 ^ y1;
        var y2Reversed = y0Reversed ^ y1Reversed;
        var h2 = _h0 ^ _h1;
        var h2Reversed = _h0Reversed ^ _h1Reversed;

        var z0 = CarrylessLow(y0, _h0);
        var z1 = CarrylessLow(y1, _h1);
        var z2 = CarrylessLow(y2, h2);
        var z0High = CarrylessLow(y0Reversed, _h0Reversed);
        var z1High = CarrylessLow(y1Reversed, _h1Reversed);
        var z2High = CarrylessLow(y2Reversed, h2Reversed);
        z2 ^= z0 ^ z1;
        z2High ^= z0High ^ z1High;
        z0High = Reverse(z0High) >> 1;
        z1High = Reverse(z1High) >> 1;
        z2High = Reverse(z2High) >> 1;

        var v0 = z0;
        var v1 = z0High ^ z2;
        var v2 = z1 ^ z2High;
        var v3 = z1High;

        v3 = (v3 << 1) | (v2 >> 63);
        v2 = (v2 << 1) | (v1 >> 63);
        v1 = (v1 << 1) | (v0 >> 63);
        v0 <<= 1;

        v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
        v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
        v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
        v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);

        y0 = v2;
        y1 = v3;
    }

    /// <summary>
    /// The low 64 bits of the carry-less product. Each operand is split into four with one bit in four
    /// set, so an integer multiply's carries land in bits the masks then drop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong CarrylessLow(ulong x, ulong y)
    {
        const ulong M0 = 0x1111111111111111UL, M1 = 0x2222222222222222UL, M2 = 0x4444444444444444UL, M3 = 0x8888888888888888UL;
        ulong x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
        ulong y0 = y & M0, y1 = y & M1, y2 = y & M2, y3 = y & M3;
        var z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        var z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        var z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        var z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Reverse(ulong x)
    {
        x = ((x & 0x5555555555555555UL) << 1) | ((x >> 1) & 0x5555555555555555UL);
        x = ((x & 0x3333333333333333UL) << 2) | ((x >> 2) & 0x3333333333333333UL);
        x = ((x & 0x0F0F0F0F0F0F0F0FUL) << 4) | ((x >> 4) & 0x0F0F0F0F0F0F0F0FUL);
        x = ((x & 0x00FF00FF00FF00FFUL) << 8) | ((x >> 8) & 0x00FF00FF00FF00FFUL);
        x = ((x & 0x0000FFFF0000FFFFUL) << 16) | ((x >> 16) & 0x0000FFFF0000FFFFUL);
        return (x << 32) | (x >> 32);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
