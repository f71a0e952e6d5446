namespace Engine.LoadTest.Reports.Perf;

/// <summary>One server's row of a ping-pong run (perf/Engine.Benchmarks `pingpong --json`).</summary>
internal sealed record PingPongResult(
    string Key,
    string Name,
    bool Ok,
    string? Error,
    double RoundTripsPerSecond,
    double RttP50Us,
    double RttP99Us,
    double ServerCpuUsPerRoundTrip,
    double ServerBytesPerMessage,
    double ClientCpuUsPerRoundTrip,
    long Lost,
    int ClientAddresses);
