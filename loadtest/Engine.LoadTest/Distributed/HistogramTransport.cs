using HdrHistogram;
using HdrHistogram.Encoding;
using HdrHistogram.Utilities;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// HdrHistogram's own encoding (V2: a header, then the counts as zig-zag LEB128 with runs of empty
/// buckets collapsed), the form its log format and every HdrHistogram port read: a second of one
/// latency set is a few hundred bytes. Encoding goes through one scratch buffer kept here, not the
/// library's compressed form, which allocates a counts-sized buffer (large-object heap) per call on
/// the swarm thread.
/// </summary>
internal sealed class HistogramTransport
{
    private ByteBuffer _scratch = ByteBuffer.Allocate(0);

    public byte[] Encode(HistogramBase histogram)
    {
        var needed = histogram.GetNeededByteBufferCapacity();
        if (_scratch.Capacity() < needed)
        {
            _scratch = ByteBuffer.Allocate(needed);
        }
        _scratch.Position = 0;
        var length = histogram.Encode(_scratch, HistogramEncoderV2.Instance);
        // The buffer keeps its array to itself: read the encoding back a byte at a time.
        var bytes = new byte[length];
        _scratch.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = _scratch.Get();
        }
        return bytes;
    }

    public static HistogramBase Decode(byte[] encoded) =>
        HistogramEncoding.DecodeFromByteBuffer(ByteBuffer.Allocate(encoded), 0);
}
