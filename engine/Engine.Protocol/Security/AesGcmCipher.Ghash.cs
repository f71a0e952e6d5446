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
/// Four blocks are folded per reduction with the precomputed powers H^4..H^1.
/// </summary>
internal sealed partial class AesGcmCipher
{
    private const int HashKeyPowerCount = 4;

    /// <summary>H, H^2, H^3, H^4 (byte-reversed), H = AES(K, 0^128).</summary>
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

    /// <summary>GHASH(H, A, C) as GCM's tag needs it, in the wire's byte order.</summary>
    private Vector128<byte> Ghash(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        var y = Absorb(Vector128<ulong>.Zero, associatedData);
        y = Absorb(y, ciphertext);
        // The lengths block, len(A) || len(C) in bits as big-endian 64-bit numbers, byte-reversed.
        var lengths = Vector128.Create((ulong)ciphertext.Length * 8, (ulong)associatedData.Length * 8);
        y = Multiply(y ^ lengths, _hashKeys[0]);
        return ByteReverse(y.AsByte());
    }

    /// <summary>Folds data, zero-padded to whole blocks, into the running hash.</summary>
    private Vector128<ulong> Absorb(Vector128<ulong> y, ReadOnlySpan<byte> data)
    {
        ref var source = ref MemoryMarshal.GetReference(data);
        var length = (nuint)data.Length;
        nuint offset = 0;
        var h1 = _hashKeys[0];
        if (length >= 4 * BlockSize)
        {
            var h2 = _hashKeys[1];
            var h3 = _hashKeys[2];
            var h4 = _hashKeys[3];
            do
            {
                // (((y ^ x0)H ^ x1)H ^ x2)H ^ x3)H = (y ^ x0)H^4 ^ x1 H^3 ^ x2 H^2 ^ x3 H: one reduction for four blocks.
                var low = Vector128<ulong>.Zero;
                var middle = Vector128<ulong>.Zero;
                var high = Vector128<ulong>.Zero;
                MultiplyAccumulate(LoadBlock(ref source, offset) ^ y, h4, ref low, ref middle, ref high);
                MultiplyAccumulate(LoadBlock(ref source, offset + BlockSize), h3, ref low, ref middle, ref high);
                MultiplyAccumulate(LoadBlock(ref source, offset + (2 * BlockSize)), h2, ref low, ref middle, ref high);
                MultiplyAccumulate(LoadBlock(ref source, offset + (3 * BlockSize)), h1, ref low, ref middle, ref high);
                y = Reduce(low, middle, high);
                offset += 4 * BlockSize;
            }
            while (length - offset >= 4 * BlockSize);
        }
        while (length - offset >= BlockSize)
        {
            y = Multiply(LoadBlock(ref source, offset) ^ y, h1);
            offset += BlockSize;
        }
        if (offset < length)
        {
            Span<byte> last = stackalloc byte[BlockSize];
            data.Slice((int)offset).CopyTo(last);
            y = Multiply(ByteReverse(Vector128.Create((ReadOnlySpan<byte>)last)).AsUInt64() ^ y, h1);
        }
        return y;
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
