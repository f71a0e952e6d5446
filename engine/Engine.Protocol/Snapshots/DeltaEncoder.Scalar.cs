using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Protocol.Snapshots;

public sealed partial class DeltaEncoder
{
    /// <summary>The reference kernel: one slot and one field at a time. The vector kernels must match it bit for bit.</summary>
    internal static void DiffScalar(int[] current, int[] baseline, uint[] zigzag, uint[] masks, int stride, int count)
    {
        CheckKernelBounds(current, baseline, zigzag, masks, stride, count);
        ref var c = ref MemoryMarshal.GetArrayDataReference(current);
        ref var b = ref MemoryMarshal.GetArrayDataReference(baseline);
        ref var z = ref MemoryMarshal.GetArrayDataReference(zigzag);
        ref var m = ref MemoryMarshal.GetArrayDataReference(masks);
        for (var slot = 0; slot < count; slot++)
        {
            var mask = 0u;
            var offset = slot;
            for (var field = 0; field < FieldCount; field++, offset += stride)
            {
                var delta = Unsafe.Add(ref c, offset) - Unsafe.Add(ref b, offset);
                Unsafe.Add(ref z, offset) = (uint)((delta << 1) ^ (delta >> 31));
                mask |= (delta != 0 ? 1u : 0u) << field;
            }
            Unsafe.Add(ref m, slot) = mask;
        }
    }

    /// <summary>The kernels index without bounds checks, so the shapes are proved once here.</summary>
    private static void CheckKernelBounds(int[] current, int[] baseline, uint[] zigzag, uint[] masks, int stride, int count)
    {
        var size = FieldCount * stride;
        if ((uint)count > (uint)stride || (count & 63) != 0 || current.Length < size || baseline.Length < size || zigzag.Length < size || masks.Length < stride)
        {
            SnapshotFrame.ThrowShape();
        }
    }
}
