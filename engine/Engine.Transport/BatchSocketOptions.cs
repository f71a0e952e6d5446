using System.Net;

namespace Engine.Transport;

public sealed class BatchSocketOptions
{
    /// <summary>
    /// Address to bind. <see cref="IPAddress.IPv6Any"/> (the default) gives a dual-stack socket that also
    /// receives IPv4 (as v4-mapped IPv6 sources); an IPv4 address gives an AF_INET socket.
    /// </summary>
    public IPAddress BindAddress { get; set; } = IPAddress.IPv6Any;

    /// <summary>0 lets the kernel pick an ephemeral port (read it back from <see cref="BatchSocket.LocalEndPoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>SO_REUSEPORT: required for shard sockets sharing one port and for the steering program.</summary>
    public bool ReusePort { get; set; }

    /// <summary>
    /// Requested SO_RCVBUF. Set with SO_RCVBUFFORCE (needs CAP_NET_ADMIN, ignores net.core.rmem_max), else with
    /// SO_RCVBUF (capped by rmem_max). 0 keeps the kernel default. See <see cref="BatchSocket.ReceiveBufferBytes"/>
    /// for what was granted.
    /// </summary>
    public int ReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Requested SO_SNDBUF, set like <see cref="ReceiveBufferBytes"/>.</summary>
    public int SendBufferBytes { get; set; } = 4 * 1024 * 1024;
}
