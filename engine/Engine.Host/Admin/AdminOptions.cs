using System.Net;

namespace Engine.Host.Admin;

/// <summary>Where the admin HTTP endpoint (/metrics, /healthz, /readyz) listens; port 0 turns it off.</summary>
internal sealed class AdminOptions
{
    public const int DefaultPort = 9100;

    // Loopback by default: the endpoint has no authentication, so exposing it is an explicit choice.
    public const string DefaultBind = "127.0.0.1";

    public int Port { get; set; } = DefaultPort;
    public string Bind { get; set; } = DefaultBind;

    public bool IsEnabled => Port != 0;

    /// <summary>Every problem with these options, one message each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Port is < 0 or > 65535)
        {
            errors.Add($"admin-port: {Port} is out of range (0..65535; 0 turns the admin endpoint off)");
        }
        if (!IPAddress.TryParse(Bind, out _))
        {
            errors.Add($"admin-bind: '{Bind}' is not an IP address (examples: 127.0.0.1, ::1, 0.0.0.0)");
        }
        return errors;
    }
}
