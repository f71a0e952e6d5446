using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.Protocol.Security;

/// <summary>
/// The PCLMULQDQ half: GHASH, multiplication in GF(2^128) modulo x^128 + x^7 + x^2 + x + 1 in GCM's
/// bit-reflected convention. Blocks are byte-reversed on load, so a 128-bit value's reflected bits
/// sit in order; the carry-less product of two reflected values is then one bit short, which the
/// shift before the reduction restores (the method of Gueron and Kounavis' Intel white paper on GCM).
/// Up to eight blocks share one reduction, with the precomputed powers H^8..H^1: a game packet (a
/// 17-byte header, a few dozen bytes of messages and the lengths block) is one reduction, not five in a row.
/// </summary>
internal sealed partial class AesGcmCipher
{
    private const int HashKeyPowerCount = 8;

    /// <summary>H, H^2, ... H^8 (byte-reversed), H = AES(K, 0^128).</summary>
    [InlineArray(HashKeyPowerCount)]
    private struct HashKeyPowers
    {
        private Vector128<ulong> _power;
    }

    private void ComputeHashKeys(Vector128<byte> hashKey)
    {
        Span<Vector128<ulong>> powers = _hashKeys;
        var h = ByteReverse(hashKey).AsUInt64();
        powers[0] = h;
        for (var i = 1; i < HashKeyPowerCount; i++)
        {
            powers[i] = Multiply(powers[i - 1], h);
        }
    }

    /// <summary>
    /// GHASH(H, A, C) as GCM's tag needs it, in the wire's byte order. With the blocks X1..Xn (A and C
    /// zero-padded, then the lengths), y = (((X1 H ^ X2) H ^ ...) ^ Xn) H = X1 H^n ^ X2 H^(n-1) ^ ... ^ Xn H,
    /// taken eight blocks at a time: each group folds the running y into its first block.
    /// </summary>
    private Vector128<byte> Ghash(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        var blocks = new HashInput(associatedData, ciphertext);
        ref var powers = ref _hashKeys[0];
        var remaining = blocks.Count;
        var y = Vector128<ulong>.Zero;
        while (remaining > HashKeyPowerCount && blocks.TryTakeWholeGroup(out var group))
        {
            // Long ciphertexts: eight whole blocks read straight from memory.
            ref var x = ref MemoryMarshal.GetReference(group);
            var low = Vector128<ulong>.Zero;
            var middle = Vector128<ulong>.Zero;
            var high = Vector128<ulong>.Zero;
            MultiplyAccumulate(LoadBlock(ref x, 0) ^ y, Unsafe.Add(ref powers, 7), ref low, ref middle, ref high);
            for (var block = 1; block < HashKeyPowerCount; block++)
            {
                MultiplyAccumulate(LoadBlock(ref x, (nuint)(block * BlockSize)), Unsafe.Add(ref powers, 7 - block), ref low, ref middle, ref high);
            }
            y = Reduce(low, middle, high);
            remaining -= HashKeyPowerCount;
        }
        do
        {
            var group = Math.Min(remaining, HashKeyPowerCount);
            var low = Vector128<ulong>.Zero;
            var middle = Vector128<ulong>.Zero;
            var high = Vector128<ulong>.Zero;
            MultiplyAccumulate(blocks.Next() ^ y, Unsafe.Add(ref powers, group - 1), ref low, ref middle, ref high);
            for (var power = group - 2; power >= 0; power--)
            {
                MultiplyAccumulate(blocks.Next(), Unsafe.Add(ref powers, power), ref low, ref middle, ref high);
            }
            y = Reduce(low, middle, high);
            remaining -= group;
        }
        while (remaining > 0);
        return ByteReverse(y.AsByte());
    }

    /// <summary>
    /// GHASH's input as one run of byte-reversed blocks: the associated data, then the ciphertext,
    /// each zero-padded to whole blocks, then len(A) || len(C) in bits. Reads nothing past the spans.
    /// </summary>
    private ref struct HashInput
    {
        private ReadOnlySpan<byte> _associatedData;
        private ReadOnlySpan<byte> _ciphertext;
        private readonly Vector128<ulong> _lengths;

        public HashInput(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
        {
            _associatedData = associatedData;
            _ciphertext = ciphertext;
            // Big-endian 64-bit bit counts, already in the byte-reversed order the other blocks take.
            _lengths = Vector128.Create((ulong)ciphertext.Length * 8, (ulong)associatedData.Length * 8);
            Count = ((associatedData.Length + BlockSize - 1) / BlockSize) + ((ciphertext.Length + BlockSize - 1) / BlockSize) + 1;
        }

        public int Count { get; }

        /// <summary>The next eight blocks when they are all whole blocks of the ciphertext (the associated data read).</summary>
        public bool TryTakeWholeGroup(out ReadOnlySpan<byte> group)
        {
            if (!_associatedData.IsEmpty || _ciphertext.Length < HashKeyPowerCount * BlockSize)
            {
                group = default;
                return false;
            }
            group = _ciphertext.Slice(0, HashKeyPowerCount * BlockSize);
            _ciphertext = _ciphertext.Slice(HashKeyPowerCount * BlockSize);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector128<ulong> Next()
        {
            if (!_associatedData.IsEmpty)
            {
                return Take(ref _associatedData);
            }
            return _ciphertext.IsEmpty ? _lengths : Take(ref _ciphertext);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<ulong> Take(ref ReadOnlySpan<byte> data)
        {
            Vector128<byte> block;
            if (data.Length >= BlockSize)
            {
                block = Vector128.Create(data);
                data = data.Slice(BlockSize);
            }
            else
            {
                block = Vector128<byte>.Zero;
                data.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<Vector128<byte>, byte>(ref block), BlockSize));
                data = default;
            }
            return ByteReverse(block).AsUInt64();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> LoadBlock(ref byte source, nuint offset) =>
        ByteReverse(Vector128.LoadUnsafe(ref source, offset)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ByteReverse(Vector128<byte> block) =>
        Ssse3.Shuffle(block, Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Multiply(Vector128<ulong> a, Vector128<ulong> b)
    {
        var low = Vector128<ulong>.Zero;
        var middle = Vector128<ulong>.Zero;
        var high = Vector128<ulong>.Zero;
        MultiplyAccumulate(a, b, ref low, ref middle, ref high);
        return Reduce(low, middle, high);
    }

    /// <summary>Adds the 256-bit carry-less product a*b, as its low, middle (cross terms) and high 128-bit parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAccumulate(Vector128<ulong> a, Vector128<ulong> b, ref Vector128<ulong> low, ref Vector128<ulong> middle, ref Vector128<ulong> high)
    {
        low ^= Pclmulqdq.CarrylessMultiply(a, b, 0x00);
        middle ^= Pclmulqdq.CarrylessMultiply(a, b, 0x01) ^ Pclmulqdq.CarrylessMultiply(a, b, 0x10);
        high ^= Pclmulqdq.CarrylessMultiply(a, b, 0x11);
    }

    /// <summary>Reduces a 256-bit product of reflected values to the reflected 128-bit field element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> middle, Vector128<ulong> high)
    {
        var lo = (low ^ Sse2.ShiftLeftLogical128BitLane(middle, 8)).AsUInt32();
        var hi = (high ^ Sse2.ShiftRightLogical128BitLane(middle, 8)).AsUInt32();

        // Shift hi:lo left by one bit (bit reflection leaves the product one bit short).
        var loCarries = Sse2.ShiftRightLogical(lo, 31);
        var hiCarries = Sse2.ShiftRightLogical(hi, 31);
        lo = Sse2.ShiftLeftLogical(lo, 1) | Sse2.ShiftLeftLogical128BitLane(loCarries, 4);
        hi = Sse2.ShiftLeftLogical(hi, 1) | Sse2.ShiftLeftLogical128BitLane(hiCarries, 4) | Sse2.ShiftRightLogical128BitLane(loCarries, 12);

        // Fold the low half into the high half: multiply by x^128 = x^7 + x^2 + x + 1, reflected,
        // first the bits that cross into the next 32-bit word, then the shifts within.
        var folded = Sse2.ShiftLeftLogical(lo, 31) ^ Sse2.ShiftLeftLogical(lo, 30) ^ Sse2.ShiftLeftLogical(lo, 25);
        var spill = Sse2.ShiftRightLogical128BitLane(folded, 4);
        lo ^= Sse2.ShiftLeftLogical128BitLane(folded, 12);
        var reduced = Sse2.ShiftRightLogical(lo, 1) ^ Sse2.ShiftRightLogical(lo, 2) ^ Sse2.ShiftRightLogical(lo, 7) ^ spill ^ lo;
        return (hi ^ reduced).AsUInt64();
    }
}
