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
        var bytes = new byte[histogram.GetNeededByteBufferCapacity()];
        var length = histogram.EncodeIntoCompressedByteBuffer(ByteBuffer.Allocate(bytes)); // the buffer writes into our array
        return bytes[..length];
    }

    public static HistogramBase Decode(byte[] encoded) =>
        HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(encoded), 0);
}
