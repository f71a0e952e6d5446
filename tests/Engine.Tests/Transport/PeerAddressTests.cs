using System.Net;
using System.Net.Sockets;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class PeerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", 5000, "127.0.0.1:5000")]
    [InlineData("::1", 5000, "[::1]:5000")]
    [InlineData("10.1.2.3", 65535, "10.1.2.3:65535")]
    public void ToString_And_ToEndPoint_RoundTrip(string address, int port, string text)
    {
        var endPoint = new IPEndPoint(IPAddress.Parse(address), port);
        PeerAddress peer = PeerAddress.FromEndPoint(endPoint);

        Assert.Equal(text, peer.ToString());
        Assert.Equal(endPoint, peer.ToEndPoint());
        Assert.Equal(port, peer.Port);
        Assert.Equal(endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6, peer.IsIPv6);
    }

    [Fact]
    public void MapToIPv6_GivesV4MappedAddress_WithSameCanonicalBytes()
    {
        var endPoint = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 7777);
        PeerAddress v4 = PeerAddress.FromEndPoint(endPoint);
        PeerAddress mapped = PeerAddress.FromEndPoint(endPoint, mapToIPv6: true);

        Assert.False(v4.IsIPv6);
        Assert.True(mapped.IsIPv6);
        Assert.Equal("[::ffff:192.0.2.7]:7777", mapped.ToString());
        Assert.NotEqual(v4, mapped); // different sockaddrs

        Span<byte> a = stackalloc byte[PeerAddress.CanonicalLength];
        Span<byte> b = stackalloc byte[PeerAddress.CanonicalLength + 4];
        Assert.Equal(PeerAddress.CanonicalLength, v4.WriteCanonicalBytes(a));
        Assert.Equal(PeerAddress.CanonicalLength, mapped.WriteCanonicalBytes(b));
        Assert.True(a.SequenceEqual(b[..PeerAddress.CanonicalLength]));
        byte[] expected = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 7, 0x1E, 0x61];
        Assert.Equal(expected, a.ToArray());
    }

    [Fact]
    public void CanonicalBytes_IPv6_AreAddressThenPort()
    {
        PeerAddress peer = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 0x1234));
        Span<byte> bytes = stackalloc byte[PeerAddress.CanonicalLength];
        peer.WriteCanonicalBytes(bytes);
        byte[] expected = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x12, 0x34];
        Assert.Equal(expected, bytes.ToArray());
        Assert.Throws<ArgumentException>(() => peer.WriteCanonicalBytes(new byte[PeerAddress.CanonicalLength - 1]));
    }

    [Fact]
    public void Equality_ComparesFamilyAddressPort()
    {
        PeerAddress a = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 1));
        PeerAddress same = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 1));
        PeerAddress otherPort = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 2));
        PeerAddress otherAddress = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 1));
        PeerAddress v6 = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 1));
        PeerAddress v6Same = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("::1"), 1));
        PeerAddress v6Scoped = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("fe80::1%2"), 1));
        PeerAddress v6OtherScope = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Parse("fe80::1%3"), 1));

        Assert.True(a == same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.True(a != otherPort);
        Assert.NotEqual(a, otherAddress);
        Assert.NotEqual(a, v6);
        Assert.Equal(v6, v6Same);
        Assert.Equal(v6.GetHashCode(), v6Same.GetHashCode());
        Assert.NotEqual(v6Scoped, v6OtherScope);
        Assert.Equal(default, default(PeerAddress));
        Assert.NotEqual(default, a);
        Assert.False(default(PeerAddress).IsValid);
        Assert.Equal(0, default(PeerAddress).Port);
        Assert.True(a.Equals((object)same));
    }

    [Fact]
    public void Equality_IsAllocationFree()
    {
        PeerAddress a = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.Loopback, 1));
        PeerAddress b = PeerAddress.FromEndPoint(new IPEndPoint(IPAddress.IPv6Loopback, 1));
        Span<byte> canonical = stackalloc byte[PeerAddress.CanonicalLength];
        int hash = 0;
        _ = a.Equals(b) | a.Equals(a) | b.Equals(b);
        hash += a.GetHashCode() + b.GetHashCode();
        a.WriteCanonicalBytes(canonical);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = a.Equals(b) | a.Equals(a) | b.Equals(b) | (a == b);
            hash += a.GetHashCode() + b.GetHashCode() + a.Port;
            b.WriteCanonicalBytes(canonical);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.NotEqual(0, hash);
    }

    [Fact]
    public unsafe void IsBlittable_32Bytes()
    {
        Assert.Equal(32, sizeof(PeerAddress));
    }
}
