using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Engine.Protocol.Security;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Engine.Benchmarks.Protocol;

/// <summary>
/// The choice of AES-256-GCM for netstandard2.1 (Unity), per packet: the SDK's PortableAesGcm against
/// BouncyCastle's GcmBlockCipher over its software AesEngine (what its netstandard build runs on Mono),
/// for an input packet and a full snapshot packet, each with a fresh nonce as a session's packets have.
/// BouncyCastle takes its nonce in a parameters object per packet and throws on a forged tag.
/// </summary>
public class PortableCipherBenchmarks
{
    private const int HeaderSize = 17;
    private readonly byte[] _nonce = new byte[SecurityConstants.NonceSize];
    private readonly byte[] _header = new byte[HeaderSize];
    private readonly byte[] _tag = new byte[SecurityConstants.TagSize];
    private readonly byte[] _scratchTag = new byte[SecurityConstants.TagSize];
    private byte[] _plain = [];
    private byte[] _sealed = [];
    private byte[] _forged = [];
    private byte[] _output = [];
    private PortableAesGcm _portable = null!;
    private GcmBlockCipher _bouncy = null!;
    private KeyParameter _key = null!;
    private ulong _packetNumber;

    public enum Implementation
    {
        Portable,
        BouncyCastle,
    }

    [Params(Implementation.Portable, Implementation.BouncyCastle)]
    public Implementation Cipher { get; set; }

    /// <summary>Datagram size: header, payload and tag.</summary>
    [Params(100, 1200)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
        _portable = new PortableAesGcm(key);
        _key = new KeyParameter(key);
        _bouncy = new GcmBlockCipher(new AesEngine());
        var payload = Size - HeaderSize - SecurityConstants.TagSize;
        RandomNumberGenerator.Fill(_header);
        _plain = RandomNumberGenerator.GetBytes(payload);
        _output = new byte[payload + SecurityConstants.TagSize];
        // Sealed once under nonce 0 (both implementations write the same bytes); opened many times.
        _sealed = new byte[payload + SecurityConstants.TagSize];
        _portable.Seal(_nonce, _header, _plain, _sealed.AsSpan(0, payload), _sealed.AsSpan(payload));
        _sealed.AsSpan(payload).CopyTo(_tag);
        _forged = (byte[])_sealed.Clone();
        _forged[0] ^= 1;
        _packetNumber = 1;
    }

    [GlobalCleanup]
    public void Cleanup() => _portable.Dispose();

    [Benchmark]
    public int Seal()
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_nonce.AsSpan(4), _packetNumber++);
        if (Cipher == Implementation.Portable)
        {
            _portable.Seal(_nonce, _header, _plain, _output.AsSpan(0, _plain.Length), _scratchTag);
            return _plain.Length;
        }
        _bouncy.Init(true, new AeadParameters(_key, 128, _nonce));
        _bouncy.ProcessAadBytes(_header);
        var written = _bouncy.ProcessBytes(_plain, _output);
        return written + _bouncy.DoFinal(_output.AsSpan(written));
    }

    [Benchmark]
    public bool Open() => Open(_sealed);

    [Benchmark]
    public bool OpenForged() => Open(_forged);

    private bool Open(byte[] packet)
    {
        _nonce.AsSpan().Clear();
        var payload = packet.Length - SecurityConstants.TagSize;
        if (Cipher == Implementation.Portable)
        {
            return _portable.TryOpen(_nonce, _header, packet.AsSpan(0, payload), packet.AsSpan(payload), _output.AsSpan(0, payload));
        }
        _bouncy.Init(false, new AeadParameters(_key, 128, _nonce));
        _bouncy.ProcessAadBytes(_header);
        var written = _bouncy.ProcessBytes(packet, _output);
        try
        {
            _bouncy.DoFinal(_output.AsSpan(written));
            return true;
        }
        catch (InvalidCipherTextException)
        {
            return false;
        }
    }
}
