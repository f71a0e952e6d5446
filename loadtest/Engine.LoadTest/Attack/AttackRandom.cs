using System.Buffers.Binary;

namespace Engine.LoadTest.Attack;

/// <summary>xorshift64*: fast, allocation-free, good enough to make traffic look random.</summary>
internal struct AttackRandom(ulong seed)
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    public ulong NextUInt64()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    public int Next(int bound) => bound <= 1 ? 0 : (int)(NextUInt64() % (uint)bound);

    public void Fill(Span<byte> destination)
    {
        while (destination.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, NextUInt64());
            destination = destination[8..];
        }
        var last = NextUInt64();
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)(last >> (8 * i));
        }
    }
}
