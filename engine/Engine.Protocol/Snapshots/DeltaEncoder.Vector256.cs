using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.Protocol.Snapshots;

public sealed partial class DeltaEncoder
{
    /// <summary>
    /// 8 slots per instruction: per field, subtract, zigzag, store, and OR the field's bit into
    /// the lanes whose delta is nonzero. Slots are contiguous per field (structure-of-arrays), so
    /// every load and store is a plain full-width access.
    /// </summary>
    internal static void DiffVector256(int[] current, int[] baseline, uint[] zigzag, uint[] masks, int stride, int count)
    {
        CheckKernelBounds(current, baseline, zigzag, masks, stride, count);
        ref var c = ref MemoryMarshal.GetArrayDataReference(current);
        ref var b = ref MemoryMarshal.GetArrayDataReference(baseline);
        ref var z = ref MemoryMarshal.GetArrayDataReference(zigzag);
        ref var m = ref MemoryMarshal.GetArrayDataReference(masks);
        for (nuint slot = 0; slot < (nuint)count; slot += (nuint)Vector256<int>.Count)
        {
            var mask = Vector256<uint>.Zero;
            var bit = Vector256<uint>.One;
            var offset = slot;
            for (var field = 0; field < FieldCount; field++, offset += (nuint)stride)
            {
                var delta = Vector256.LoadUnsafe(ref c, offset) - Vector256.LoadUnsafe(ref b, offset);
                ((delta << 1) ^ Vector256.ShiftRightArithmetic(delta, 31)).AsUInt32().StoreUnsafe(ref z, offset);
                mask |= Vector256.AndNot(bit, Vector256.Equals(delta, Vector256<int>.Zero).AsUInt32());
                bit <<= 1;
            }
            mask.StoreUnsafe(ref m, slot);
        }
    }
}
