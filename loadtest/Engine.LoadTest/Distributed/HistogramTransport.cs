using HdrHistogram;
using HdrHistogram.Utilities;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// HdrHistogram's own compressed encoding (V2: zig-zag LEB128 counts, deflated), the form its log
/// format and every HdrHistogram port read: a second of one latency set is a few hundred bytes.
/// </summary>
internal static class HistogramTransport
{
    public static byte[] Encode(HistogramBase histogram)
    {
        var buffer = ByteBuffer.Allocate(histogram.GetNeededByteBufferCapacity());
        var length = histogram.EncodeIntoCompressedByteBuffer(buffer);
        // The buffer keeps its array to itself: read the encoding back a byte at a time.
        var bytes = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            bytes[i] = buffer.Get();
        }
        return bytes;
    }

    public static HistogramBase Decode(byte[] encoded) =>
        HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(encoded), 0);
}
