using Engine.Server.Diagnostics;
using Xunit;

namespace Engine.Tests.Server;

public class LogLinearHistogramTests
{
    [Fact]
    public void Quantiles_come_within_an_eighth_of_the_true_value()
    {
        var histogram = new LogLinearHistogram();
        for (var us = 1; us <= 10_000; us++)
        {
            histogram.Record(us);
        }
        var p50 = histogram.Quantile(0.5);
        var p99 = histogram.Quantile(0.99);
        Assert.InRange(p50, 5_000, 5_000 * 9 / 8);
        Assert.InRange(p99, 9_900, 9_900 * 9 / 8);
        Assert.Equal(10_000, histogram.Max);
        Assert.Equal(10_000, histogram.Count);
        Assert.Equal(10_000L * 10_001 / 2, histogram.Sum);
        for (long us = 0; us < 100_000; us += 7)
        {
            var bucket = LogLinearHistogram.BucketOf(us);
            Assert.True(us <= LogLinearHistogram.UpperBoundOf(bucket));
            Assert.True(bucket == 0 || us > LogLinearHistogram.UpperBoundOf(bucket - 1));
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(8, true)]
    [InlineData(16, true)]
    [InlineData(384, true)]      // 12 << 5
    [InlineData(1536, true)]     // 12 << 7
    [InlineData(1048576, true)]
    [InlineData(0, false)]
    [InlineData(1000, false)]    // inside the bucket 960..1023
    [InlineData(1472, false)]
    [InlineData(1L << 40, false)] // past the last bucket, which holds everything larger
    public void Bucket_edges_are_the_values_where_a_bucket_starts(long edge, bool expected) =>
        Assert.Equal(expected, LogLinearHistogram.IsBucketEdge(edge));

    [Fact]
    public void Recording_allocates_nothing()
    {
        var histogram = new LogLinearHistogram();
        histogram.Record(1); // first call: any one-time JIT work
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (long value = 0; value < 100_000; value++)
        {
            histogram.Record(value * 37);
        }
        histogram.Record(-5);
        histogram.Record(long.MaxValue / 4);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(100_003, histogram.Count);
    }
}
