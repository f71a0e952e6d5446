using System.Buffers.Binary;

namespace Engine.Fuzz;

/// <summary>
/// The input of the stateful targets: datagrams in arrival order, each as
/// <c>[u8 milliseconds since the previous one][u16 length][bytes]</c>. A length past the end
/// takes what is left, so every byte string is a script.
/// </summary>
internal ref struct DatagramScript
{
    public const int MaxDatagrams = 64;

    private ReadOnlySpan<byte> _rest;
    private int _read;

    public DatagramScript(ReadOnlySpan<byte> data)
    {
        _rest = data;
    }

    public bool TryNext(out int elapsedMs, out ReadOnlySpan<byte> datagram)
    {
        elapsedMs = 0;
        datagram = default;
        if (_rest.Length < 3 || _read == MaxDatagrams)
        {
            return false;
        }
        elapsedMs = _rest[0];
        var length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(_rest.Slice(1)), _rest.Length - 3);
        datagram = _rest.Slice(3, length);
        _rest = _rest.Slice(3 + length);
        _read++;
        return true;
    }

    /// <summary>Builds scripts for the seed corpus.</summary>
    public sealed class Builder
    {
        private readonly List<byte> _bytes = [];

        public Builder Prefix(params byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public Builder Add(int elapsedMs, ReadOnlySpan<byte> datagram)
        {
            _bytes.Add((byte)elapsedMs);
            _bytes.Add((byte)datagram.Length);
            _bytes.Add((byte)(datagram.Length >> 8));
            _bytes.AddRange(datagram.ToArray());
            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
