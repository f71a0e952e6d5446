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

    /// <summary>Blocks encrypted side by side: eight for long payloads, four for short ones and tails.</summary>
    private const int BatchBlocks = 8;
    private const int HalfBatchBlocks = 4;

    [InlineArray(Rounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _key;
    }

    private void SealIntrinsics(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        var counterBlock = CounterBlock(nonce);
        var batch = default(KeystreamBatch);
        var tagMask = FirstBatch(counterBlock, plaintext.Length, ref batch);
        CounterMode(counterBlock, ref batch, plaintext, ciphertext);
        (Ghash(associatedData, ciphertext) ^ tagMask).CopyTo(tag);
    }

    private bool TryOpenIntrinsics(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        // Authenticate first: a forged packet costs one GHASH pass and one batch of blocks, and
        // nothing is decrypted. The batch holds the tag's block and the first payload blocks.
        var counterBlock = CounterBlock(nonce);
        var batch = default(KeystreamBatch);
        var tagMask = FirstBatch(counterBlock, ciphertext.Length, ref batch);
        var difference = Ghash(associatedData, ciphertext) ^ tagMask ^ Vector128.Create(tag);
        // One comparison of all 16 bytes at once: no early exit on the first wrong byte.
        if (difference != Vector128<byte>.Zero)
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)batch));
            return false;
        }
        CounterMode(counterBlock, ref batch, ciphertext, plaintext);
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

    /// <summary>Keystream blocks of consecutive counters, encrypted side by side.</summary>
    [InlineArray(BatchBlocks)]
    private struct KeystreamBatch
    {
        private Vector128<byte> _block;
    }

    /// <summary>
    /// Encrypts J0 (counter 1, the tag's mask) together with the first payload counters: four blocks
    /// when the payload fits three (a game packet), else eight. The AES units take eight independent
    /// blocks in the time one takes alone, so the tag's block costs nothing extra. Returns E(J0);
    /// the payload's keystream is left in the batch from block 1.
    /// </summary>
    private Vector128<byte> FirstBatch(Vector128<uint> counterBlock, int payloadLength, ref KeystreamBatch batch)
    {
        if (FirstBatchBlocks(payloadLength) == HalfBatchBlocks)
        {
            Keystream4(ref _roundKeys[0], counterBlock, 1, ref batch);
        }
        else
        {
            Keystream8(ref _roundKeys[0], counterBlock, 1, ref batch);
        }
        return batch[0];
    }

    /// <summary>The first batch's width: four blocks (J0 and three of payload) when the payload fits them, else eight.</summary>
    private static int FirstBatchBlocks(int payloadLength) =>
        payloadLength <= (HalfBatchBlocks - 1) * BlockSize ? HalfBatchBlocks : BatchBlocks;

    /// <summary>
    /// XORs the keystream of counters 2, 3, ... into the output: first what <see cref="FirstBatch"/>
    /// left in the batch, then eight blocks per batch (four for a short tail), so the AES units always
    /// work on independent blocks at once. Reads and writes nothing past the spans. Input and output may
    /// be the same buffer: each block is read before it is written. The batch is zeroed afterwards.
    /// </summary>
    private void CounterMode(Vector128<uint> counterBlock, ref KeystreamBatch batch, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var blocksInBatch = FirstBatchBlocks(input.Length);
        var offset = ApplyKeystream(ref batch, 1, blocksInBatch, input, output, 0);
        var counter = (uint)blocksInBatch + 1;
        ref var source = ref MemoryMarshal.GetReference(input);
        ref var destination = ref MemoryMarshal.GetReference(output);
        while (input.Length - offset >= BatchBlocks * BlockSize)
        {
            // Whole batches straight from the registers.
            Keystream8(ref _roundKeys[0], counterBlock, counter, out var k0, out var k1, out var k2, out var k3, out var k4, out var k5, out var k6, out var k7);
            var at = (nuint)offset;
            (Vector128.LoadUnsafe(ref source, at) ^ k0).StoreUnsafe(ref destination, at);
            (Vector128.LoadUnsafe(ref source, at + BlockSize) ^ k1).StoreUnsafe(ref destination, at + BlockSize);
            (Vector128.LoadUnsafe(ref source, at + (2 * BlockSize)) ^ k2).StoreUnsafe(ref destination, at + (2 * BlockSize));
            (Vector128.LoadUnsafe(ref source, at + (3 * BlockSize)) ^ k3).StoreUnsafe(ref destination, at + (3 * BlockSize));
            (Vector128.LoadUnsafe(ref source, at + (4 * BlockSize)) ^ k4).StoreUnsafe(ref destination, at + (4 * BlockSize));
            (Vector128.LoadUnsafe(ref source, at + (5 * BlockSize)) ^ k5).StoreUnsafe(ref destination, at + (5 * BlockSize));
            (Vector128.LoadUnsafe(ref source, at + (6 * BlockSize)) ^ k6).StoreUnsafe(ref destination, at + (6 * BlockSize));
            (Vector128.LoadUnsafe(ref source, at + (7 * BlockSize)) ^ k7).StoreUnsafe(ref destination, at + (7 * BlockSize));
            offset += BatchBlocks * BlockSize;
            counter += BatchBlocks;
        }
        if (offset < input.Length)
        {
            // The tail, up to eight blocks with the last one partial, through the batch.
            if (input.Length - offset <= HalfBatchBlocks * BlockSize)
            {
                Keystream4(ref _roundKeys[0], counterBlock, counter, ref batch);
                ApplyKeystream(ref batch, 0, HalfBatchBlocks, input, output, offset);
            }
            else
            {
                Keystream8(ref _roundKeys[0], counterBlock, counter, ref batch);
                ApplyKeystream(ref batch, 0, BatchBlocks, input, output, offset);
            }
        }
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<Vector128<byte>>)batch));
    }

    /// <summary>XORs blocks [<paramref name="first"/>, <paramref name="end"/>) of the batch into the input from <paramref name="offset"/>; returns the offset after them.</summary>
    private static int ApplyKeystream(ref KeystreamBatch batch, int first, int end, ReadOnlySpan<byte> input, Span<byte> output, int offset)
    {
        ref var source = ref MemoryMarshal.GetReference(input);
        ref var destination = ref MemoryMarshal.GetReference(output);
        for (var block = first; block < end && offset < input.Length; block++)
        {
            var left = input.Length - offset;
            if (left >= BlockSize)
            {
                (Vector128.LoadUnsafe(ref source, (nuint)offset) ^ batch[block]).StoreUnsafe(ref destination, (nuint)offset);
                offset += BlockSize;
                continue;
            }
            var keystream = batch[block];
            var keystreamBytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<Vector128<byte>, byte>(ref keystream), BlockSize);
            for (var i = 0; i < left; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ keystreamBytes[i]);
            }
            offset += left;
        }
        return offset;
    }

    /// <summary>Four consecutive counter blocks from <paramref name="counter"/>, into the batch's first four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keystream4(ref Vector128<byte> keys, Vector128<uint> counterBlock, uint counter, ref KeystreamBatch batch)
    {
        var key = keys;
        var b0 = WithCounter(counterBlock, counter) ^ key;
        var b1 = WithCounter(counterBlock, counter + 1) ^ key;
        var b2 = WithCounter(counterBlock, counter + 2) ^ key;
        var b3 = WithCounter(counterBlock, counter + 3) ^ key;
        for (var round = 1; round < Rounds; round++)
        {
            key = Unsafe.Add(ref keys, round);
            b0 = AesNi.Encrypt(b0, key);
            b1 = AesNi.Encrypt(b1, key);
            b2 = AesNi.Encrypt(b2, key);
            b3 = AesNi.Encrypt(b3, key);
        }
        key = Unsafe.Add(ref keys, Rounds);
        batch[0] = AesNi.EncryptLast(b0, key);
        batch[1] = AesNi.EncryptLast(b1, key);
        batch[2] = AesNi.EncryptLast(b2, key);
        batch[3] = AesNi.EncryptLast(b3, key);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keystream8(ref Vector128<byte> keys, Vector128<uint> counterBlock, uint counter, ref KeystreamBatch batch)
    {
        Keystream8(ref keys, counterBlock, counter, out batch[0], out batch[1], out batch[2], out batch[3], out batch[4], out batch[5], out batch[6], out batch[7]);
    }

    /// <summary>Eight consecutive counter blocks from <paramref name="counter"/>: enough in flight to keep two AES units busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keystream8(ref Vector128<byte> keys, Vector128<uint> counterBlock, uint counter,
        out Vector128<byte> k0, out Vector128<byte> k1, out Vector128<byte> k2, out Vector128<byte> k3,
        out Vector128<byte> k4, out Vector128<byte> k5, out Vector128<byte> k6, out Vector128<byte> k7)
    {
        var key = keys;
        var b0 = WithCounter(counterBlock, counter) ^ key;
        var b1 = WithCounter(counterBlock, counter + 1) ^ key;
        var b2 = WithCounter(counterBlock, counter + 2) ^ key;
        var b3 = WithCounter(counterBlock, counter + 3) ^ key;
        var b4 = WithCounter(counterBlock, counter + 4) ^ key;
        var b5 = WithCounter(counterBlock, counter + 5) ^ key;
        var b6 = WithCounter(counterBlock, counter + 6) ^ key;
        var b7 = WithCounter(counterBlock, counter + 7) ^ key;
        for (var round = 1; round < Rounds; round++)
        {
            key = Unsafe.Add(ref keys, round);
            b0 = AesNi.Encrypt(b0, key);
            b1 = AesNi.Encrypt(b1, key);
            b2 = AesNi.Encrypt(b2, key);
            b3 = AesNi.Encrypt(b3, key);
            b4 = AesNi.Encrypt(b4, key);
            b5 = AesNi.Encrypt(b5, key);
            b6 = AesNi.Encrypt(b6, key);
            b7 = AesNi.Encrypt(b7, key);
        }
        key = Unsafe.Add(ref keys, Rounds);
        k0 = AesNi.EncryptLast(b0, key);
        k1 = AesNi.EncryptLast(b1, key);
        k2 = AesNi.EncryptLast(b2, key);
        k3 = AesNi.EncryptLast(b3, key);
        k4 = AesNi.EncryptLast(b4, key);
        k5 = AesNi.EncryptLast(b5, key);
        k6 = AesNi.EncryptLast(b6, key);
        k7 = AesNi.EncryptLast(b7, key);
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
