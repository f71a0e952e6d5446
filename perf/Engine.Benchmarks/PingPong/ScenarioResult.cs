namespace Engine.Benchmarks.PingPong;

/// <summary>What one server measured over the window, or why it could not be measured.</summary>
internal sealed class ScenarioResult
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public string? Error { get; set; }
    public string? ClientDescription { get; set; }
    public string? ServerCommand { get; set; }
    public int ClientAddresses { get; set; }
    public double WindowSeconds { get; set; }
    public long RoundTrips { get; set; }
    public long Lost { get; set; }
    public long Stale { get; set; }
    public int Disconnected { get; set; }
    public double RoundTripsPerSecond => WindowSeconds > 0 ? RoundTrips / WindowSeconds : 0;
    public double RttP50Us { get; set; } = double.NaN;
    public double RttP99Us { get; set; } = double.NaN;
    public double RttP999Us { get; set; } = double.NaN;
    public double RttMaxUs { get; set; } = double.NaN;

    /// <summary>Server on-CPU time over the window (schedstat, ns), all threads.</summary>
    public long ServerCpuNs { get; set; }

    /// <summary>Server utime+stime over the window, in clock ticks (10 ms).</summary>
    public long ServerCpuTicks { get; set; }

    /// <summary>The part of <see cref="ServerCpuTicks"/> spent in user space (the rest is the kernel's).</summary>
    public long ServerUserCpuTicks { get; set; }

    public double ServerUserShare => ServerCpuTicks > 0 ? (double)ServerUserCpuTicks / ServerCpuTicks : double.NaN;
    public long ClientCpuNs { get; set; }

    /// <summary>Bytes the harness process allocated over the window (client thread, plus a little /proc sampling).</summary>
    public long ClientAllocatedBytes { get; set; }
    /// <summary>Bytes the client thread allocated over its whole ping-pong loop (warm-up included), and its round trips.</summary>
    public long ClientThreadAllocatedBytes { get; set; }
    public long ClientThreadRoundTrips { get; set; }
    public double ClientBytesPerMessage => RoundTrips > 0 ? (double)ClientAllocatedBytes / RoundTrips : double.NaN;
    public long? ServerAllocatedBytes { get; set; }
    public int? ServerExitCode { get; set; }

    public double ServerCpuUsPerRoundTrip => RoundTrips > 0 ? ServerCpuNs / 1000.0 / RoundTrips : double.NaN;
    public double ServerCpuUsPerRoundTripFromTicks => RoundTrips > 0 ? ServerCpuTicks * (1e6 / ProcessCpu.ClockTicksPerSecond) / RoundTrips : double.NaN;
    public double ClientCpuUsPerRoundTrip => RoundTrips > 0 ? ClientCpuNs / 1000.0 / RoundTrips : double.NaN;
    public double? ServerBytesPerMessage => ServerAllocatedBytes is long b && RoundTrips > 0 ? (double)b / RoundTrips : null;
    public bool Ok => Error is null && RoundTrips > 0;
}
