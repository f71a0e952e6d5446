using System.Net;
using System.Text;
using System.Text.Json;

namespace Engine.Tests.Agones;

/// <summary>One request the sidecar answered: method, path, and for a label its key and value.</summary>
internal sealed record AgonesCall(string Method, string Path, string? Key, string? Value, DateTime At, int Status)
{
    public override string ToString() => Key is null ? $"{Method} {Path} -> {Status}" : $"{Method} {Path} {Key}={Value} -> {Status}";
}

/// <summary>
/// A stand-in for the Agones SDK sidecar's REST gateway on 127.0.0.1, answering as its contract
/// (sdk.swagger.json) says: POST /ready, /health, /allocate, /shutdown take an empty JSON object,
/// PUT /metadata/label takes {"key","value"}; each answers 200 with "{}". A body that is not such
/// JSON gets 400, a known path with another method 405, anything else 404. It records every call;
/// <see cref="Failing"/> makes it answer 503 to everything, as a sidecar in trouble would.
/// </summary>
internal sealed class FakeAgonesSidecar : IDisposable
{
    private static readonly string[] s_lifecycle = ["/ready", "/health", "/allocate", "/shutdown"];
    private readonly HttpListener _listener = new();
    private readonly List<AgonesCall> _calls = new();
    private readonly Task _loop;

    public FakeAgonesSidecar(int port)
    {
        Address = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Address { get; }

    public volatile bool Failing;

    public IReadOnlyList<AgonesCall> Calls
    {
        get { lock (_calls) { return _calls.ToList(); } }
    }

    /// <summary>The last value each label was set to, among calls that succeeded.</summary>
    public string? Label(string key) => Calls.LastOrDefault(c => c.Key == key && c.Status == 200)?.Value;

    public int Count(string method, string path) => Calls.Count(c => c.Method == method && c.Path == path && c.Status == 200);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var (status, key, value) = Answer(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, body);
            lock (_calls)
            {
                _calls.Add(new AgonesCall(context.Request.HttpMethod, context.Request.Url.AbsolutePath, key, value, DateTime.UtcNow, status));
            }
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var reply = Encoding.UTF8.GetBytes(status == 200 ? "{}" : """{"error":"refused","code":3}""");
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        }
    }

    private (int Status, string? Key, string? Value) Answer(string method, string path, string? contentType, string body)
    {
        if (Failing)
        {
            return (503, null, null);
        }
        var known = s_lifecycle.Contains(path) || path == "/metadata/label";
        if (!known)
        {
            return (404, null, null);
        }
        var expected = path == "/metadata/label" ? "PUT" : "POST";
        if (method != expected)
        {
            return (405, null, null);
        }
        if (contentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return (400, null, null);
        }
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (400, null, null);
            }
            if (path != "/metadata/label")
            {
                return (200, null, null);
            }
            if (!json.RootElement.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                || !json.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return (400, null, null);
            }
            return (200, key.GetString(), value.GetString());
        }
        catch (JsonException)
        {
            return (400, null, null);
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}
