using System.Net;
using System.Net.Sockets;

namespace Engine.Tests.Admin;

/// <summary>HTTP helpers for the admin endpoint tests.</summary>
internal static class AdminHttp
{
    public static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A TCP port that was free a moment ago.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static (HttpStatusCode Status, string Body, string? ContentType) Get(string url)
    {
        using var response = Client.GetAsync(url).GetAwaiter().GetResult();
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return (response.StatusCode, body, response.Content.Headers.ContentType?.ToString());
    }

    public static (HttpStatusCode Status, string Body) Post(string url)
    {
        using var response = Client.PostAsync(url, content: null).GetAwaiter().GetResult();
        return (response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }
}
