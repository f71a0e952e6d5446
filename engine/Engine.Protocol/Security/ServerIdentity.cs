using System.Net;
using System.Runtime.CompilerServices;

namespace Engine.Protocol.Security;

/// <summary>
/// The address a server answers to, as tokens must list it: an IP (kept as 16 bytes, IPv4 v4-mapped)
/// and a port, or only a port when the server listens on a wildcard address and accepts any IP.
/// </summary>
public readonly struct ServerIdentity
{
    private readonly AddressBytes _address;

    private ServerIdentity(in AddressBytes address, int port, bool anyAddress)
    {
        _address = address;
        Port = port;
        AnyAddress = anyAddress;
    }

    public int Port { get; }
    public bool AnyAddress { get; }

    /// <summary>A wildcard address (0.0.0.0, ::) accepts tokens for any IP with this port.</summary>
    public static ServerIdentity For(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var any = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any);
        AddressBytes bytes = default;
        endPoint.Address.MapToIPv6().TryWriteBytes(bytes, out _);
        return new ServerIdentity(bytes, endPoint.Port, any);
    }

    internal bool AddressEquals(ReadOnlySpan<byte> mapped) => mapped.SequenceEqual((ReadOnlySpan<byte>)_address);

    public override string ToString() =>
        AnyAddress ? $"*:{Port}" : new IPEndPoint(new IPAddress((ReadOnlySpan<byte>)_address), Port).ToString();

    [InlineArray(16)]
    private struct AddressBytes
    {
        private byte _first;
    }
}
