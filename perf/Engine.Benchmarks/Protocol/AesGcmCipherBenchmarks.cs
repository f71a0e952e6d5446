using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Engine.Protocol.Security;

namespace Engine.Benchmarks.Protocol;

/// <summary>
/// The AES-256-GCM cipher alone, side by side on its two paths: the managed AES-NI and PCLMULQDQ
/// code and the framework's AesGcm (OpenSSL on Linux, with the two-call open other CPUs use), for an
/// input packet and a full snapshot packet (the 17-byte header as associated data). Opening a forged
/// packet is what an attacker who knows a session's id and address costs per datagram. 0 B allocated.
/// </summary>
public class AesGcmCipherBenchmarks
{
    private const int HeaderSize = 17;
    private readonly byte[] _nonce = new byte[SecurityConstants.NonceSize];
    private readonly byte[] _header = new byte[HeaderSize];
    private byte[] _plain = [];
    private byte[] _sealed = [];
    private byte[] _forged = [];
    private byte[] _output = [];
    private readonly byte[] _tag = new byte[SecurityConstants.TagSize];
    private readonly byte[] _scratchTag = new byte[SecurityConstants.TagSize];
    private AesGcmCipher _cipher = null!;

    public enum Implementation
    {
        Intrinsics,
        Framework,
    }

    [Params(Implementation.Intrinsics, Implementation.Framework)]
    public Implementation Path { get; set; }

    /// <summary>Datagram size: header, payload and tag.</summary>
    [Params(100, 1200)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cipher = new AesGcmCipher(RandomNumberGenerator.GetBytes(SecurityConstants.KeySize), forceFramework: Path == Implementation.Framework);
        if (Path == Implementation.Intrinsics && !_cipher.UsesIntrinsics)
        {
            throw new InvalidOperationException("This CPU lacks AES-NI or PCLMULQDQ; the intrinsics row would measure the framework.");
        }
        var payload = Size - HeaderSize - SecurityConstants.TagSize;
        RandomNumberGenerator.Fill(_nonce);
        RandomNumberGenerator.Fill(_header);
        _plain = RandomNumberGenerator.GetBytes(payload);
        _sealed = new byte[payload];
        _output = new byte[payload];
        _cipher.Seal(_nonce, _header, _plain, _sealed, _tag);
        _forged = (byte[])_sealed.Clone();
        _forged[0] ^= 1;
    }

    [GlobalCleanup]
    public void Cleanup() => _cipher.Dispose();

    [Benchmark]
    public void Seal() => _cipher.Seal(_nonce, _header, _plain, _output, _scratchTag);

    [Benchmark]
    public bool Open() => _cipher.TryOpen(_nonce, _header, _sealed, _tag, _output);

    [Benchmark]
    public bool OpenForged() => _cipher.TryOpen(_nonce, _header, _forged, _tag, _output);
}
