using System.Net.Http.Headers;
using System.Text.Json;

namespace Engine.Host.Agones;

/// <summary>
/// The Agones SDK's REST gateway (the sidecar's grpc-gateway, sdk.swagger.json): POST /ready,
/// /health, /allocate and /shutdown with an empty JSON object, PUT /metadata/label with
/// {"key","value"} (Agones stores it as the GameServer label "agones.dev/sdk-KEY"). A call that does
/// not answer 2xx within <see cref="CallTimeout"/> throws <see cref="AgonesCallException"/>.
/// </summary>
internal sealed class AgonesSdk : IDisposable
{
    // The sidecar is on localhost: a call slower than this is a sidecar in trouble, and the caller retries.
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http;

    public AgonesSdk(Uri address)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = CallTimeout,
        };
    }

    public Task ReadyAsync(CancellationToken cancellation) => SendAsync(HttpMethod.Post, "ready", "{}"u8.ToArray(), cancellation);

    public Task HealthAsync(CancellationToken cancellation) => SendAsync(HttpMethod.Post, "health", "{}"u8.ToArray(), cancellation);

    public Task AllocateAsync(CancellationToken cancellation) => SendAsync(HttpMethod.Post, "allocate", "{}"u8.ToArray(), cancellation);

    public Task ShutdownAsync(CancellationToken cancellation) => SendAsync(HttpMethod.Post, "shutdown", "{}"u8.ToArray(), cancellation);

    public Task SetLabelAsync(string key, string value, CancellationToken cancellation)
    {
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WriteString("value", value);
            json.WriteEndObject();
        }
        return SendAsync(HttpMethod.Put, "metadata/label", body.ToArray(), cancellation, $" {key}={value}");
    }

    /// <param name="detail">Said after the path when the call fails (a label's key and value).</param>
    private async Task SendAsync(HttpMethod method, string path, byte[] body, CancellationToken cancellation, string detail = "")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new AgonesCallException($"{method} /{path}{detail}: no answer within {CallTimeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new AgonesCallException($"{method} /{path}{detail}: {ex.GetBaseException().Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new AgonesCallException($"{method} /{path}{detail}: HTTP {(int)response.StatusCode}");
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A call to the Agones sidecar failed; the message says which and why.</summary>
internal sealed class AgonesCallException(string message) : Exception(message);
