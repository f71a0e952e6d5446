using Engine.Protocol;
using Engine.Protocol.Snapshots;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The client's snapshot decoder, <see cref="DeltaDecoder.Decode"/>, against a fixed baseline
/// (tick 1000, capacity 200 so the frame has padding slots). Never throws; the header's verdict is
/// the decoder's; the baseline is never written; an accepted frame has its tick, no entity outside
/// the capacity and zero fields in every absent slot; decoding in place (the baseline as the
/// destination) gives the same frame; and the frame survives a round trip through
/// <see cref="DeltaEncoder"/> (every SIMD width writing the same bytes).
/// </summary>
internal sealed class SnapshotTarget : FuzzTarget
{
    public const int Capacity = 200;
    public const uint BaselineTick = 1000;

    private readonly SnapshotFrame _baseline = NewBaseline();
    private readonly SnapshotFrame _pristine = NewBaseline();
    private readonly SnapshotFrame _decoded = new(Capacity);
    private readonly SnapshotFrame _inPlace = new(Capacity);
    private readonly SnapshotFrame _again = new(Capacity);
    private readonly DeltaEncoder _encoder = new(Capacity);
    private readonly byte[] _encoded = new byte[64 * 1024];
    private readonly byte[] _encodedScalar = new byte[64 * 1024];

    public override string Name => "snapshot";

    public override void Run(ReadOnlySpan<byte> data)
    {
        var reason = DeltaDecoder.Decode(_baseline, data, _decoded);
        Check.That(_baseline.ContentEquals(_pristine), "the baseline changed");
        var headerReason = SnapshotHeader.TryRead(data, out var header, out _);
        if (headerReason != DropReason.None)
        {
            Check.Equal(headerReason, reason, "decoder verdict on a bad header");
            return;
        }
        if (header.HasBaseline && header.BaselineTick != BaselineTick)
        {
            Check.Equal(DropReason.Stale, reason, "decoder verdict on a delta against another tick");
            return;
        }
        if (reason != DropReason.None)
        {
            Check.Equal(DropReason.MalformedSnapshot, reason, "decoder verdict");
            return;
        }

        Check.Equal(header.Tick, _decoded.Tick, "decoded tick");
        var presence = _decoded.Presence;
        for (var slot = Capacity; slot < presence.Length * 64; slot++)
        {
            Check.That((presence[slot >> 6] & (1UL << slot)) == 0, $"padding slot {slot} present");
        }
        for (var slot = 0; slot < Capacity; slot++)
        {
            if (_decoded.IsPresent(slot))
            {
                continue;
            }
            for (var field = 0; field < SnapshotSchema.FieldCount; field++)
            {
                Check.Equal(0, _decoded.Get(slot, (SnapshotField)field), $"field {field} of absent slot {slot}");
            }
        }

        _inPlace.CopyFrom(_baseline);
        Check.Equal(DropReason.None, DeltaDecoder.Decode(_inPlace, data, _inPlace), "verdict decoding in place");
        Check.That(_inPlace.ContentEquals(_decoded), "decoding in place gives another frame");

        var against = header.HasBaseline ? _baseline : null;
        var result = _encoder.Encode(_decoded, against, _encoded, _encoded.Length);
        Check.That(result.Complete && result.BytesWritten > 0, "re-encoding did not fit 64 KiB");
        var scalar = _encoder.Encode(_decoded, against, _encodedScalar, _encodedScalar.Length, SimdPath.Scalar);
        Check.Bytes(_encoded.AsSpan(0, result.BytesWritten), _encodedScalar.AsSpan(0, scalar.BytesWritten), "scalar and vector encodings");
        Check.Equal(DropReason.None, DeltaDecoder.Decode(_baseline, _encoded.AsSpan(0, result.BytesWritten), _again), "verdict on the re-encoded frame");
        Check.That(_again.ContentEquals(_decoded), "the re-encoded frame decodes to another frame");
    }

    /// <summary>Players in the first slots, a few scattered entities, values of every size and sign.</summary>
    private static SnapshotFrame NewBaseline()
    {
        var frame = new SnapshotFrame(Capacity) { Tick = BaselineTick };
        int[] slots = [0, 1, 2, 3, 4, 5, 6, 7, 40, 63, 64, 127, 128, 150, 199];
        foreach (var slot in slots)
        {
            frame.Add(slot);
            for (var field = 0; field < SnapshotSchema.FieldCount; field++)
            {
                var value = (slot + 1) * (field + 3) * (field % 2 == 0 ? 997 : -31);
                frame.Set(slot, (SnapshotField)field, field == 9 ? 1000 + slot : value);
            }
        }
        return frame;
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var baseline = NewBaseline();
        var current = NewBaseline();
        current.Tick = BaselineTick + 9;
        current.Set(5, SnapshotField.PositionX, current.Get(5, SnapshotField.PositionX) + 12);
        current.Set(5, SnapshotField.PositionY, current.Get(5, SnapshotField.PositionY) - 30);
        current.Set(64, SnapshotField.Yaw, 65535);
        current.Set(199, SnapshotField.Owner, 77);
        current.Remove(7);
        current.Add(41);
        current.Set(41, SnapshotField.PositionX, 150);
        current.Set(41, SnapshotField.Flags, 1);
        current.Set(41, SnapshotField.Owner, 1001);
        var encoder = new DeltaEncoder(Capacity);
        var buffer = new byte[64 * 1024];
        var delta = encoder.Encode(current, baseline, buffer, buffer.Length);
        yield return ("delta", buffer.AsSpan(0, delta.BytesWritten).ToArray());

        var full = encoder.Encode(current, null, buffer, buffer.Length);
        yield return ("full", buffer.AsSpan(0, full.BytesWritten).ToArray());

        // Budget-limited: the encoder skips records and marks the payload partial.
        var partial = encoder.Encode(current, baseline, buffer, 40);
        yield return ("partial", buffer.AsSpan(0, partial.BytesWritten).ToArray());

        var unchanged = NewBaseline();
        unchanged.Tick = BaselineTick + 1;
        yield return ("no-change", buffer.AsSpan(0, encoder.Encode(unchanged, baseline, buffer, buffer.Length).BytesWritten).ToArray());
    }
}
