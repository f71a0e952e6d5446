namespace Engine.Host.Agones;

/// <summary>Whether the node reports to Agones, and where the SDK sidecar's REST gateway listens.</summary>
internal sealed class AgonesOptions
{
    public const string DefaultSdkAddress = "http://localhost:9358";

    // Agones sets it in the game server's environment when the gateway runs on another port.
    public const string PortVariable = "AGONES_SDK_HTTP_PORT";

    public bool Enabled { get; set; }
    public string SdkAddress { get; set; } = DefaultSdkAddress;

    /// <summary>The gateway's address when none is configured: localhost on Agones' port variable, else the default.</summary>
    public static string DefaultAddressFor(string? portVariable) =>
        string.IsNullOrWhiteSpace(portVariable) ? DefaultSdkAddress : $"http://localhost:{portVariable.Trim()}";

    public IReadOnlyList<string> Validate() =>
        Uri.TryCreate(SdkAddress, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && uri.Query.Length == 0
            ? []
            : [$"agones-sdk-address: '{SdkAddress}' is not an http:// address of the SDK's REST gateway (example: {DefaultSdkAddress})"];
}
