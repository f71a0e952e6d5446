using Engine.Protocol.Wire;

namespace Engine.Protocol.Channels;

/// <summary>
/// Limits and wire sizes of the reliable ordered channel (docs/PROTOCOL.md, "Reliable messages").
/// A message that fits one packet travels as one <see cref="MessageKind.Reliable"/> unit; a larger one
/// as consecutive <see cref="MessageKind.ReliableFragment"/> units. Every unit has its own u16 id, so
/// acknowledgement, resend and ordering never need to know about fragments.
/// </summary>
internal static class ReliableChannel
{
    /// <summary>The largest reliable message an application can queue: 64 KiB.</summary>
    public const int MaxMessageSize = 64 * 1024;

    /// <summary>
    /// Ids the sender may have in flight beyond the oldest unacknowledged one, and so the ids the
    /// receiver holds out of order. It bounds the receiver's hold buffer to one window of units.
    /// </summary>
    public const int Window = 64;

    /// <summary>The most fragments one message may be split into (a 64 KiB message at the smallest allowed payload needs 313).</summary>
    public const int MaxFragmentCount = 1024;

    /// <summary>Units a sender puts in one packet; bounds the per-packet record of what each packet carried.</summary>
    public const int MaxUnitsPerPacket = 32;

    /// <summary>id (u16).</summary>
    public const int ReliableHeaderSize = 2;

    /// <summary>id (u16), fragment index (u16), fragment count (u16).</summary>
    public const int FragmentHeaderSize = 6;

    /// <summary>Resend timeout until the first round-trip sample arrives.</summary>
    public const long InitialResendTimeoutUs = 100_000;

    /// <summary>Floor of the resend timeout, so a tiny RTT on loopback does not resend every poll.</summary>
    public const long MinResendTimeoutUs = 20_000;

    /// <summary>Backoff doubles per resend up to 8x the timeout, and never past this (unless the timeout itself is longer).</summary>
    public const long MaxResendDelayUs = 1_000_000;
    public const int MaxBackoffShift = 3;

    /// <summary>Bytes one unit takes on the wire: kind, varint length, header, data.</summary>
    public static int UnitSize(bool fragment, int dataLength)
    {
        var length = (fragment ? FragmentHeaderSize : ReliableHeaderSize) + dataLength;
        return 1 + Varint.SizeOf((uint)length) + length;
    }

    /// <summary>Resend timeout from the smoothed RTT and its variance (RFC 6298 shape, with a floor).</summary>
    public static long ResendTimeoutUs(long smoothedRttUs, long rttVarianceUs) =>
        smoothedRttUs == 0 ? InitialResendTimeoutUs : Math.Max(smoothedRttUs + (4 * rttVarianceUs), MinResendTimeoutUs);
}
