using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;

namespace Engine.Benchmarks;

/// <summary>
/// The configuration every benchmark in this assembly runs with: allocations measured
/// exactly (workstation, non-concurrent GC, so no background GC thread allocates or
/// collects during a measurement) and run counts short enough that the whole suite
/// takes minutes. Benchmarks only need <c>[Benchmark]</c> methods; the switcher finds them.
/// </summary>
internal static class BenchmarkConfig
{
    public static IConfig Create() =>
        DefaultConfig.Instance
            .AddJob(Job.Default
                .WithRuntime(CoreRuntime.Core10_0)
                .WithGcServer(false)
                .WithGcConcurrent(false)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(8)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .WithId("short-wks-gc"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.P95);
}
