using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Benchmarks.Protocol;

/// <summary>
/// What a secure session adds per packet: sealing on send and opening on receive (AES-256-GCM, the
/// 17-byte header as associated data), for a typical input packet and a full snapshot packet. 0 B allocated.
/// </summary>
public class PacketProtectionBenchmarks
{
    private readonly byte[] _packet = new byte[ProtocolConstants.MaxDatagram];
    private PacketProtection _client = null!;
    private PacketProtection _server = null!;
    private ulong _number;

    [Params(100, 1200)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var c2s = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
        var s2c = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
        _client = PacketProtection.ForClient(c2s, s2c);
        _server = PacketProtection.ForServer(c2s, s2c);
        RandomNumberGenerator.Fill(_packet);
        new SessionHeader(0x0102030405060708, 1, 0, 0, false).Write(_packet);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
    }

    /// <summary>Seal a packet of <see cref="Size"/> bytes (tag included), then open it as the server does.</summary>
    [Benchmark]
    public bool SealAndOpen()
    {
        var number = _number++;
        var sealedLength = _client.Seal(_packet, Size - SecurityConstants.TagSize, number);
        return _server.TryOpen(_packet.AsSpan(0, sealedLength), number);
    }

    /// <summary>A forged packet: the cost an attacker who knows a session's id and address imposes per datagram.</summary>
    [Benchmark]
    public bool OpenForged() => _server.TryOpen(_packet.AsSpan(0, Size), ulong.MaxValue);
}
