using System.Buffers.Binary;

namespace Engine.Benchmarks.PingPong;

/// <summary>
/// The ping message every client sends: client index, sequence number and send time in the
/// first 16 bytes, zeros after. The echo comes back unchanged, so a reply names its client
/// and is matched against the one message that client has in flight.
/// </summary>
internal static class RoundTripPayload
{
    public const int MinSize = 16;

    public static void Write(Span<byte> destination, int clientIndex, uint sequence, long sentTicks)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, clientIndex);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], sentTicks);
        destination[MinSize..].Clear();
    }

    public static bool TryRead(ReadOnlySpan<byte> payload, out int clientIndex, out uint sequence, out long sentTicks)
    {
        if (payload.Length < MinSize)
        {
            clientIndex = 0;
            sequence = 0;
            sentTicks = 0;
            return false;
        }
        clientIndex = BinaryPrimitives.ReadInt32LittleEndian(payload);
        sequence = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        sentTicks = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
        return true;
    }
}
