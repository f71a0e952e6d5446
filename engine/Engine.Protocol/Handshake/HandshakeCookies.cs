using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Handshake;

/// <summary>
/// Stateless challenge cookies: a 16-byte SipHash-2-4 tag over the client's address, its nonce and
/// the issue time, under a key derived from the server's secret that rotates every <see cref="KeyEpochUs"/>. The server
/// keeps nothing until a client proves it can receive at the address it claims. One instance per
/// shard thread (not thread-safe); instances built from the same secret accept each other's cookies.
/// </summary>
public sealed class HandshakeCookies
{
    public const long KeyEpochUs = 60_000_000;
    public const int MacSize = 16;
    private const int MaxAddressBytes = 32;

    private readonly byte[] _secret;
    private readonly long _lifetimeUs;
    // The keys of the current and the previous epoch, derived from the secret when the epoch turns.
    private readonly byte[] _currentKey = new byte[SipHash128.KeySize];
    private readonly byte[] _previousKey = new byte[SipHash128.KeySize];
    private long _currentEpoch = long.MinValue;

    public HandshakeCookies(ReadOnlySpan<byte> secret, long lifetimeUs = 10_000_000)
    {
        if (secret.Length < 16)
        {
            throw new ArgumentException("The cookie secret must be at least 16 bytes.", nameof(secret));
        }
        if (lifetimeUs <= 0 || lifetimeUs > KeyEpochUs)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetimeUs), "A cookie lives longer than zero and at most one key epoch.");
        }
        _secret = secret.ToArray();
        _lifetimeUs = lifetimeUs;
    }

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(32);

    /// <summary>Writes a 24-byte cookie: issue time (u64 microseconds) then the MAC.</summary>
    public void Issue(ReadOnlySpan<byte> clientAddress, ulong nonce, long nowUs, Span<byte> cookie)
    {
        BinaryPrimitives.WriteInt64LittleEndian(cookie, nowUs);
        Mac(KeyFor(EpochOf(nowUs), nowUs)!, clientAddress, nonce, nowUs, cookie.Slice(8, MacSize));
    }

    public DropReason Verify(ReadOnlySpan<byte> clientAddress, ulong nonce, ReadOnlySpan<byte> cookie, long nowUs)
    {
        if (cookie.Length != ProtocolConstants.CookieSize)
        {
            return DropReason.BadCookie;
        }
        var issuedUs = BinaryPrimitives.ReadInt64LittleEndian(cookie);
        if (issuedUs > nowUs || nowUs - issuedUs > _lifetimeUs)
        {
            return DropReason.ExpiredCookie;
        }
        var key = KeyFor(EpochOf(issuedUs), nowUs);
        if (key is null)
        {
            return DropReason.ExpiredCookie;
        }
        Span<byte> expected = stackalloc byte[MacSize];
        Mac(key, clientAddress, nonce, issuedUs, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cookie.Slice(8, MacSize)) ? DropReason.None : DropReason.BadCookie;
    }

    private static long EpochOf(long timeUs) => timeUs >= 0 ? timeUs / KeyEpochUs : ((timeUs + 1) / KeyEpochUs) - 1;

    /// <summary>The key of an epoch if it is the current or the previous one; rotates as time passes.</summary>
    private byte[]? KeyFor(long epoch, long nowUs)
    {
        var nowEpoch = EpochOf(nowUs);
        if (nowEpoch != _currentEpoch)
        {
            if (nowEpoch == _currentEpoch + 1)
            {
                _currentKey.CopyTo(_previousKey, 0);
            }
            else
            {
                DeriveKey(nowEpoch - 1, _previousKey);
            }
            DeriveKey(nowEpoch, _currentKey);
            _currentEpoch = nowEpoch;
        }
        return epoch == _currentEpoch ? _currentKey : epoch == _currentEpoch - 1 ? _previousKey : null;
    }

    private void DeriveKey(long epoch, Span<byte> key)
    {
        Span<byte> label = stackalloc byte[8];
        Span<byte> derived = stackalloc byte[32];
        BinaryPrimitives.WriteInt64LittleEndian(label, epoch);
        HMACSHA256.HashData(_secret, label, derived);
        derived.Slice(0, SipHash128.KeySize).CopyTo(key);
    }

    private static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> clientAddress, ulong nonce, long issuedUs, Span<byte> destination)
    {
        var addressLength = Math.Min(clientAddress.Length, MaxAddressBytes);
        Span<byte> input = stackalloc byte[MaxAddressBytes + 16];
        clientAddress.Slice(0, addressLength).CopyTo(input);
        BinaryPrimitives.WriteUInt64LittleEndian(input.Slice(addressLength), nonce);
        BinaryPrimitives.WriteInt64LittleEndian(input.Slice(addressLength + 8), issuedUs);
        SipHash128.Compute(key, input.Slice(0, addressLength + 16), destination);
    }
}
