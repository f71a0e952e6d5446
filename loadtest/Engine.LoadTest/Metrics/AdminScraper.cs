namespace Engine.LoadTest.Metrics;

/// <summary>
/// Reads the engine's own counters from its admin endpoint (GET /metrics, Prometheus text): open
/// sessions and rooms, drops by reason, handshakes by stage. Called once a second off the swarm
/// thread, and by the soak's leak check.
/// </summary>
internal sealed class AdminScraper(string baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public string MetricsUrl { get; } = baseUrl.TrimEnd('/') + "/metrics";

    /// <summary>The endpoint's counters now; null when it does not answer (the report shows a gap).</summary>
    public AdminSample? Scrape()
    {
        try
        {
            var text = _http.GetStringAsync(MetricsUrl).GetAwaiter().GetResult();
            return AdminSample.Parse(text);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
