using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Distributed;

/// <summary>The server's side of one second, as the coordinator samples it; the agents' CPU joins it to make a <see cref="ServerSample"/>.</summary>
internal sealed record ServerReading(int Second, double CpuPercent, double RssMb, long UdpInErrors, long UdpRcvbufErrors, ServerStats? Stats, AdminSample? Admin)
{
    public ServerSample WithSwarm(double swarmCpuPercent, double swarmRssMb) => new()
    {
        Second = Second,
        CpuPercent = CpuPercent,
        RssMb = RssMb,
        SwarmCpuPercent = swarmCpuPercent,
        SwarmRssMb = swarmRssMb,
        UdpInErrors = UdpInErrors,
        UdpRcvbufErrors = UdpRcvbufErrors,
        Stats = Stats,
        Admin = Admin,
    };
}
