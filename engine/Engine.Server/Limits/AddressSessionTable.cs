using System.Buffers.Binary;
using Engine.Transport;

namespace Engine.Server.Limits;

/// <summary>
/// Sessions per IP address (no port; v4 and v4-mapped alike), shared by the shards. Touched only
/// when a session opens or closes, never per packet, so one lock is enough.
/// </summary>
internal sealed class AddressSessionTable(int maxPerAddress)
{
    private readonly Dictionary<AddressKey, int> _counts = new();

    /// <summary>Counts a session against its address; false when the address already has its share.</summary>
    public bool TryAdd(in PeerAddress address)
    {
        var key = AddressKey.From(address);
        lock (_counts)
        {
            var count = _counts.GetValueOrDefault(key);
            if (count >= maxPerAddress)
            {
                return false;
            }
            _counts[key] = count + 1;
            return true;
        }
    }

    public void Remove(in PeerAddress address)
    {
        var key = AddressKey.From(address);
        lock (_counts)
        {
            if (_counts.TryGetValue(key, out var count))
            {
                if (count <= 1)
                {
                    _counts.Remove(key);
                }
                else
                {
                    _counts[key] = count - 1;
                }
            }
        }
    }

    private readonly record struct AddressKey(ulong High, ulong Low)
    {
        public static AddressKey From(in PeerAddress address)
        {
            Span<byte> bytes = stackalloc byte[PeerAddress.CanonicalLength];
            address.WriteCanonicalBytes(bytes);
            return new AddressKey(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)));
        }
    }
}
