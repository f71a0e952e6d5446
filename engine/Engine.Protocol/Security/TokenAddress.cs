using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Engine.Protocol.Security;

/// <summary>The 19-byte form of a server address in a connect token, and the comparison the server makes against it.</summary>
public static class TokenAddress
{
    public const byte IPv4 = 4;
    public const byte IPv6 = 6;

    public static void Write(IPEndPoint endPoint, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = destination.Slice(0, SecurityConstants.AddressSize);
        address.Clear();
        var ip = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        address[0] = ip.AddressFamily == AddressFamily.InterNetwork ? IPv4 : IPv6;
        if (!ip.TryWriteBytes(address.Slice(1, 16), out _))
        {
            throw new ArgumentException($"Cannot encode the address {endPoint}.", nameof(endPoint));
        }
        BinaryPrimitives.WriteUInt16LittleEndian(address.Slice(17), (ushort)endPoint.Port);
    }

    /// <summary>Null when the family byte is neither 4 nor 6.</summary>
    public static IPEndPoint? Read(ReadOnlySpan<byte> source)
    {
        var port = BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(17));
        return source[0] switch
        {
            IPv4 => new IPEndPoint(new IPAddress(source.Slice(1, 4)), port),
            IPv6 => new IPEndPoint(new IPAddress(source.Slice(1, 16)), port),
            _ => null,
        };
    }

#if NET // the server's side: netstandard2.1 builds only clients
    /// <summary>
    /// Whether an encoded token address names this server: the same port, and the same IP unless the
    /// server accepts any (it listens on a wildcard address and was given no public address). IPv4 and
    /// its v4-mapped IPv6 form are the same address.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> encoded, in ServerIdentity server)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(encoded.Slice(17)) != server.Port)
        {
            return false;
        }
        if (server.AnyAddress)
        {
            return encoded[0] is IPv4 or IPv6;
        }
        Span<byte> mapped = stackalloc byte[16];
        switch (encoded[0])
        {
            case IPv4:
                mapped.Clear();
                mapped[10] = 0xFF;
                mapped[11] = 0xFF;
                encoded.Slice(1, 4).CopyTo(mapped.Slice(12));
                break;
            case IPv6:
                encoded.Slice(1, 16).CopyTo(mapped);
                break;
            default:
                return false;
        }
        return server.AddressEquals(mapped);
    }
#endif
}
