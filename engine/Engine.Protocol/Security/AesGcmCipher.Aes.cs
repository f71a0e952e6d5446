using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using AesNi = System.Runtime.Intrinsics.X86.Aes;
using System.Security.Cryptography;

namespace Engine.Protocol.Security;

/// <summary>The AES-NI half: the AES-256 key schedule, the block cipher and counter mode.</summary>
internal sealed partial class AesGcmCipher
{
    private const int Rounds = 14;
    private const int BlockSize = 16;

    /// <summary>The first counter value of the payload: J0 (nonce || 1) is kept for the tag.</summary>
    private const uint FirstPayloadCounter = 2;

    [InlineArray(Rounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _key;
    }

    private void SealIntrinsics(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        var counterBlock = CounterBlock(nonce);
        CounterMode(counterBlock, plaintext, ciphertext);
        var expected = Ghash(associatedData, ciphertext) ^ EncryptBlock(ref _roundKeys[0], WithCounter(counterBlock, 1));
        expected.CopyTo(tag);
    }

    private bool TryOpenIntrinsics(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        // Authenticate first: a forged packet costs one GHASH pass and one block, and nothing is decrypted.
        var counterBlock = CounterBlock(nonce);
        Span<byte> expected = stackalloc byte[SecurityConstants.TagSize];
        (Ghash(associatedData, ciphertext) ^ EncryptBlock(ref _roundKeys[0], WithCounter(counterBlock, 1))).CopyTo(expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return false;
        }
        CounterMode(counterBlock, ciphertext, plaintext);
        return true;
    }

    /// <summary>The nonce in the first 12 bytes, the 32-bit big-endian block counter (zero here) in the last 4.</summary>
    private static Vector128<uint> CounterBlock(ReadOnlySpan<byte> nonce) =>
        Vector128.Create(
            BinaryPrimitives.ReadUInt32LittleEndian(nonce),
            BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(4)),
            BinaryPrimitives.ReadUInt32LittleEndian(nonce.Slice(8)),
            0u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> WithCounter(Vector128<uint> counterBlock, uint counter) =>
        counterBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    /// <summary>
    /// XORs the keystream of counters 2, 3, ... into the output, four blocks per batch so the AES units
    /// work on independent blocks at once; the last one to 63 bytes are one more batch through a stack
    /// buffer, so nothing is read or written past the spans. Input and output may be the same buffer:
    /// each block is read before it is written.
    /// </summary>
    private void CounterMode(Vector128<uint> counterBlock, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ref var keys = ref _roundKeys[0];
        ref var source = ref MemoryMarshal.GetReference(input);
        ref var destination = ref MemoryMarshal.GetReference(output);
        var length = (nuint)input.Length;
        nuint offset = 0;
        var counter = FirstPayloadCounter;
        Vector128<byte> k0, k1, k2, k3;
        while (length - offset >= 4 * BlockSize)
        {
            Keystream4(ref keys, counterBlock, counter, out k0, out k1, out k2, out k3);
            (Vector128.LoadUnsafe(ref source, offset) ^ k0).StoreUnsafe(ref destination, offset);
            (Vector128.LoadUnsafe(ref source, offset + BlockSize) ^ k1).StoreUnsafe(ref destination, offset + BlockSize);
            (Vector128.LoadUnsafe(ref source, offset + (2 * BlockSize)) ^ k2).StoreUnsafe(ref destination, offset + (2 * BlockSize));
            (Vector128.LoadUnsafe(ref source, offset + (3 * BlockSize)) ^ k3).StoreUnsafe(ref destination, offset + (3 * BlockSize));
            offset += 4 * BlockSize;
            counter += 4;
        }
        if (offset < length)
        {
            var tail = (int)(length - offset);
            Span<byte> last = stackalloc byte[4 * BlockSize];
            input.Slice((int)offset, tail).CopyTo(last);
            Keystream4(ref keys, counterBlock, counter, out k0, out k1, out k2, out k3);
            ref var block = ref MemoryMarshal.GetReference(last);
            (Vector128.LoadUnsafe(ref block) ^ k0).StoreUnsafe(ref block);
            (Vector128.LoadUnsafe(ref block, BlockSize) ^ k1).StoreUnsafe(ref block, BlockSize);
            (Vector128.LoadUnsafe(ref block, 2 * BlockSize) ^ k2).StoreUnsafe(ref block, 2 * BlockSize);
            (Vector128.LoadUnsafe(ref block, 3 * BlockSize) ^ k3).StoreUnsafe(ref block, 3 * BlockSize);
            last.Slice(0, tail).CopyTo(output.Slice((int)offset));
            CryptographicOperations.ZeroMemory(last);
        }
    }

    /// <summary>The keystream blocks of four consecutive counters, encrypted side by side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keystream4(ref Vector128<byte> keys, Vector128<uint> counterBlock, uint counter,
        out Vector128<byte> b0, out Vector128<byte> b1, out Vector128<byte> b2, out Vector128<byte> b3)
    {
        var key = keys;
        b0 = WithCounter(counterBlock, counter) ^ key;
        b1 = WithCounter(counterBlock, counter + 1) ^ key;
        b2 = WithCounter(counterBlock, counter + 2) ^ key;
        b3 = WithCounter(counterBlock, counter + 3) ^ key;
        for (var round = 1; round < Rounds; round++)
        {
            key = Unsafe.Add(ref keys, round);
            b0 = AesNi.Encrypt(b0, key);
            b1 = AesNi.Encrypt(b1, key);
            b2 = AesNi.Encrypt(b2, key);
            b3 = AesNi.Encrypt(b3, key);
        }
        key = Unsafe.Add(ref keys, Rounds);
        b0 = AesNi.EncryptLast(b0, key);
        b1 = AesNi.EncryptLast(b1, key);
        b2 = AesNi.EncryptLast(b2, key);
        b3 = AesNi.EncryptLast(b3, key);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> EncryptBlock(ref Vector128<byte> keys, Vector128<byte> block)
    {
        block ^= keys;
        for (var round = 1; round < Rounds; round++)
        {
            block = AesNi.Encrypt(block, Unsafe.Add(ref keys, round));
        }
        return AesNi.EncryptLast(block, Unsafe.Add(ref keys, Rounds));
    }

    /// <summary>
    /// FIPS-197 AES-256 key expansion: each new round key is the previous-but-one with its words
    /// prefix-XORed, plus SubWord of the last word (rotated, with the round constant, every other key).
    /// KeygenAssist takes its round constant as an immediate, hence the unrolled calls.
    /// </summary>
    private void ExpandKey(ReadOnlySpan<byte> key)
    {
        Span<Vector128<byte>> keys = _roundKeys;
        var even = Vector128.Create(key.Slice(0, BlockSize));
        var odd = Vector128.Create(key.Slice(BlockSize, BlockSize));
        keys[0] = even;
        keys[1] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x01));
        keys[2] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[3] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x02));
        keys[4] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[5] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x04));
        keys[6] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[7] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x08));
        keys[8] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[9] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x10));
        keys[10] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[11] = odd;
        even = NextEven(even, AesNi.KeygenAssist(odd, 0x20));
        keys[12] = even;
        odd = NextOdd(odd, AesNi.KeygenAssist(even, 0x00));
        keys[13] = odd;
        keys[14] = NextEven(even, AesNi.KeygenAssist(odd, 0x40));
        ComputeHashKeys(EncryptBlock(ref keys[0], Vector128<byte>.Zero));
    }

    /// <summary>Words 3 of KeygenAssist: RotWord(SubWord(last word)) XOR the round constant.</summary>
    private static Vector128<byte> NextEven(Vector128<byte> previous, Vector128<byte> assist) =>
        PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();

    /// <summary>Word 2 of KeygenAssist: SubWord(last word), no rotation, no constant.</summary>
    private static Vector128<byte> NextOdd(Vector128<byte> previous, Vector128<byte> assist) =>
        PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xAA).AsByte();

    /// <summary>w0, w0^w1, w0^w1^w2, w0^w1^w2^w3.</summary>
    private static Vector128<byte> PrefixXor(Vector128<byte> words)
    {
        words ^= Sse2.ShiftLeftLogical128BitLane(words, 4);
        words ^= Sse2.ShiftLeftLogical128BitLane(words, 4);
        return words ^ Sse2.ShiftLeftLogical128BitLane(words, 4);
    }

    private void ZeroKeyMaterial()
    {
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)_roundKeys));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<ulong>>)_hashKeys));
    }

    /// <summary>Whether any round key or hash key byte is still set (tests check Dispose).</summary>
    internal bool HoldsKeyMaterial =>
        MemoryMarshal.AsBytes((ReadOnlySpan<Vector128<byte>>)_roundKeys).ContainsAnyExcept((byte)0) ||
        MemoryMarshal.AsBytes((ReadOnlySpan<Vector128<ulong>>)_hashKeys).ContainsAnyExcept((byte)0);
}
