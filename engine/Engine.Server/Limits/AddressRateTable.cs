using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Engine.Transport;

namespace Engine.Server.Limits;

/// <summary>
/// Per-source-address token buckets for packets and handshakes, in a fixed table owned by one
/// shard: direct-mapped by a keyed hash of the IP address, no allocation, bounded memory. When two
/// addresses meet in one slot the newcomer takes it over with a full bucket, so spoofed floods
/// cannot make the table grow; the shard's global guard is what limits them.
/// </summary>
internal sealed class AddressRateTable
{
    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly ulong _seed;
    private readonly RateLimit _packets;
    private readonly RateLimit _handshakes;

    public AddressRateTable(int capacity, RateLimit packets, RateLimit handshakes)
    {
        _packets = packets;
        _handshakes = handshakes;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity));
        _entries = new Entry[size];
        _mask = size - 1;
        _seed = (ulong)RandomNumberGenerator.GetInt32(int.MaxValue) << 20 | 0x9E3779B9UL;
    }

    public bool TryTakePacket(in PeerAddress address, long nowUs) => _packets.IsUnlimited || TryTake(address, nowUs, handshake: false);

    public bool TryTakeHandshake(in PeerAddress address, long nowUs) => _handshakes.IsUnlimited || TryTake(address, nowUs, handshake: true);

    private bool TryTake(in PeerAddress address, long nowUs, bool handshake)
    {
        Span<byte> bytes = stackalloc byte[PeerAddress.CanonicalLength];
        address.WriteCanonicalBytes(bytes);
        var high = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)); // the address only, not the port
        ref var entry = ref _entries[(int)(Mix(high ^ _seed, low) & (ulong)_mask)];
        if (!entry.InUse || entry.High != high || entry.Low != low)
        {
            entry = new Entry { InUse = true, High = high, Low = low, Packets = TokenBucket.Full(_packets, nowUs), Handshakes = TokenBucket.Full(_handshakes, nowUs) };
        }
        return handshake ? entry.Handshakes.TryTake(_handshakes, nowUs) : entry.Packets.TryTake(_packets, nowUs);
    }

    private static ulong Mix(ulong a, ulong b)
    {
        var x = (a * 0x9E3779B97F4A7C15UL) ^ (b + 0x632BE59BD9B4E019UL);
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 29);
    }

    private struct Entry
    {
        public bool InUse;
        public ulong High;
        public ulong Low;
        public TokenBucket Packets;
        public TokenBucket Handshakes;
    }
}
