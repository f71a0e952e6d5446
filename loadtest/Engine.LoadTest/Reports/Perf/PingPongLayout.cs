namespace Engine.LoadTest.Reports.Perf;

/// <summary>
/// One client layout of a ping-pong run (one address per client, or a few shared client
/// sockets): what it is, what it measures and one row per server.
/// </summary>
internal sealed record PingPongLayout(string Key, string Title, string Measures, int ClientSockets, List<PingPongResult> Results)
{
    public PingPongResult? Ok(string key) => Results.Find(r => r.Key == key && r.Ok);

    /// <summary>The kernel floor of this layout: the C echo's server CPU per round trip, when it ran.</summary>
    public double KernelFloorUs => Ok("c")?.ServerCpuUsPerRoundTrip ?? double.NaN;
}
