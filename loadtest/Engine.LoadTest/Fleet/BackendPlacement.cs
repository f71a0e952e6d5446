using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// The swarm's client of a fleet's `engine backend`, as a game's own backend calls it: POST /v1/matchmake
/// (and /v1/nodes/{id}/resume for a player resuming its slot) for tickets, GET /v1/nodes for the per-node
/// figures. Called from the matchmaking tasks and the monitor thread, never from the swarm thread.
/// </summary>
internal sealed class BackendPlacement : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;

    public BackendPlacement(Uri backend, string key, int connections)
    {
        Backend = backend;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = backend,
            Timeout = s_timeout,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public Uri Backend { get; }

    public Task<BackendAnswer> MatchmakeAsync(long playerId, int capacity) =>
        SendAsync(HttpMethod.Post, "/v1/matchmake", string.Create(CultureInfo.InvariantCulture, $$"""{"playerId":{{playerId}},"capacity":{{capacity}}}"""));

    /// <summary>A ticket to the node that keeps the player's slot, whatever its rooms look like: the node judges the resume.</summary>
    public Task<BackendAnswer> ResumeAsync(string nodeId, long playerId) =>
        SendAsync(HttpMethod.Post, string.Create(CultureInfo.InvariantCulture, $"/v1/nodes/{Uri.EscapeDataString(nodeId)}/resume"),
            string.Create(CultureInfo.InvariantCulture, $$"""{"playerId":{{playerId}}}"""));

    /// <summary>Every live node of the directory as the backend sees it; null when it did not answer 200 (<paramref name="status"/> says what it did).</summary>
    public List<NodeReading>? Nodes(out int status)
    {
        var answer = SendAsync(HttpMethod.Get, "/v1/nodes", null).GetAwaiter().GetResult();
        status = answer.Status;
        if (!answer.Ok || answer.Body.ValueKind != JsonValueKind.Object || !answer.Body.TryGetProperty("nodes", out var nodes))
        {
            return null;
        }
        return [.. nodes.EnumerateArray().Select(n => new NodeReading(
            n.GetProperty("id").GetString() ?? "",
            n.GetProperty("address").GetString() ?? "",
            n.GetProperty("state").GetString() ?? "",
            n.GetProperty("sessions").GetInt32(),
            n.GetProperty("capacity").GetInt32(),
            n.GetProperty("cpu").GetDouble(),
            n.GetProperty("rooms").GetInt32(),
            n.GetProperty("players").GetInt32()))];
    }

    private async Task<BackendAnswer> SendAsync(HttpMethod method, string path, string? json)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }
            using var response = await _http.SendAsync(request).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            var elapsed = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            var parsed = default(JsonElement);
            if (body.Length > 0)
            {
                try
                {
                    using var document = JsonDocument.Parse(body);
                    parsed = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    // Not JSON (a proxy's error page): the status says enough.
                }
            }
            return new BackendAnswer((int)response.StatusCode, parsed, elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new BackendAnswer(0, default, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
    }

    public void Dispose() => _http.Dispose();
}
