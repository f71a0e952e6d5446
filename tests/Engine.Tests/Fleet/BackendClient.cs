using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Engine.Tests.Fleet;

/// <summary>Calls `engine backend` over HTTP as a game's backend would, with the bearer key, and reads its JSON.</summary>
internal sealed class BackendClient(string baseAddress, string apiKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(10) };

    public static string NewApiKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? apiKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> MatchmakeAsync(ulong playerId, int capacity = 0, string? mode = null) =>
        SendAsync(HttpMethod.Post, "/v1/matchmake", $$"""{"playerId":{{playerId}},"capacity":{{capacity}}{{(mode is null ? "" : $",\"mode\":\"{mode}\"")}}}""");

    public Task<(HttpStatusCode Status, JsonElement Body)> RoomsAsync(string query = "") => SendAsync(HttpMethod.Get, "/v1/rooms" + query);

    public Task<(HttpStatusCode Status, JsonElement Body)> JoinAsync(string roomId, ulong playerId) =>
        SendAsync(HttpMethod.Post, $"/v1/rooms/{roomId}/join", $$"""{"playerId":{{playerId}}}""");

    public Task<(HttpStatusCode Status, JsonElement Body)> ResumeAsync(string nodeId, ulong playerId) =>
        SendAsync(HttpMethod.Post, $"/v1/nodes/{nodeId}/resume", $$"""{"playerId":{{playerId}}}""");

    public void Dispose() => _http.Dispose();
}
