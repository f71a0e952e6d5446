using Engine.Host.Admin;
using Engine.Host.Agones;
using Engine.Host.Lifecycle;
using Engine.Host.Fleet;
using Engine.Server;

namespace Engine.Host.Configuration;

/// <summary>What the host reads: the server's options plus its own (logging, the admin endpoint, draining, Agones, the fleet).</summary>
internal sealed class HostSettings
{
    public ServerOptions Server { get; } = new();
    public AdminOptions Admin { get; } = new();
    public DrainOptions Drain { get; } = new();
    public AgonesOptions Agones { get; } = new();
    public FleetOptions Fleet { get; } = new();
    public string LogLevel { get; set; } = "information";
    public string LogFormat { get; set; } = "console";
}
