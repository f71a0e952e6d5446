using System.Numerics;

namespace Engine.Protocol.Sessions;

/// <summary>
/// Sequence bookkeeping of one direction pair: which incoming sequences were seen (for the ack and
/// ack bits we send, and to drop duplicates) and which of our sent packets the peer acknowledged
/// (for the loss estimate). Sequences are u16 and wrap.
/// </summary>
internal struct AckWindow
{
    /// <summary>
    /// Sent packets remembered for acknowledgement. An ack names packets at most 32 before the
    /// peer's newest, so a packet 128 sends old could only be acknowledged by a peer over 95 packets
    /// behind what we send (seconds at any send rate): by then it is counted lost. A power of two,
    /// so u16 sequences map consistently.
    /// </summary>
    private const int SentRingSize = 128;

    // Full 64-bit packet numbers: the u16 sequence on the wire is their low bits, and sealed
    // packets use the whole number as their nonce, so it must never repeat.
    private ulong _nextPacketNumber;
    private ulong _largestReceivedNumber;
    private ushort _lossCursor;
    private ushort _latestReceived;
    private uint _receivedBits;
    private bool _receivedAny;

    // The newest ack applied and the ack bits applied under it: each packet repeats the last 32
    // acks, and only those not applied before need a look at the sent ring.
    private ushort _appliedAck;
    private uint _appliedBits;
    private bool _appliedAny;

    // Sent packets by sequence modulo the ring size: the sequence, and a bit (in two words, for
    // slots 0-63 and 64-127) set until acknowledged or counted lost.
    private readonly ushort[] _sentSequence;
    private ulong _sentPendingLow;
    private ulong _sentPendingHigh;

    public AckWindow()
    {
        _sentSequence = new ushort[SentRingSize];
    }

    public void Reset()
    {
        _nextPacketNumber = 0;
        _largestReceivedNumber = 0;
        _lossCursor = 0;
        _latestReceived = 0;
        _receivedBits = 0;
        _receivedAny = false;
        _appliedAck = 0;
        _appliedBits = 0;
        _appliedAny = false;
        _sentPendingLow = 0;
        _sentPendingHigh = 0;
    }

    public readonly ushort LatestReceived => _latestReceived;
    public readonly uint ReceivedBits => _receivedBits;

    /// <summary>Takes the next outgoing packet number (its low 16 bits are the sequence) and remembers it until acked or lost.</summary>
    public ulong NextSend(ref ConnectionStats stats)
    {
        var number = _nextPacketNumber++;
        var sequence = (ushort)number;
        var slot = sequence % SentRingSize;
        if (IsPending(slot))
        {
            // Never acknowledged before its slot came round again: lost.
            stats.PacketsLost++;
        }
        SetPending(slot, true);
        _sentSequence[slot] = sequence;
        return number;
    }

    /// <summary>
    /// The full packet number a received u16 sequence stands for: the one closest to the newest
    /// received (as QUIC decodes truncated packet numbers, RFC 9000 appendix A.3).
    /// </summary>
    public readonly ulong DecodePacketNumber(ushort sequence)
    {
        const ulong window = 1UL << 16;
        const ulong halfWindow = window / 2;
        var expected = _receivedAny ? _largestReceivedNumber + 1 : 0;
        var candidate = (expected & ~(window - 1)) | sequence;
        if (candidate + halfWindow <= expected)
        {
            return candidate + window;
        }
        if (candidate > expected + halfWindow && candidate >= window)
        {
            return candidate - window;
        }
        return candidate;
    }

    /// <summary>What <see cref="TryAcceptIncoming"/> would say, without recording anything.</summary>
    public readonly DropReason Check(ushort sequence)
    {
        if (!_receivedAny)
        {
            return DropReason.None;
        }
        var ahead = (short)(sequence - _latestReceived);
        if (ahead > 0)
        {
            return DropReason.None;
        }
        if (ahead == 0)
        {
            return DropReason.Duplicate;
        }
        var behind = -ahead;
        if (behind > 32)
        {
            return DropReason.Stale;
        }
        return (_receivedBits & (1u << (behind - 1))) != 0 ? DropReason.Duplicate : DropReason.None;
    }

    /// <summary>Records an incoming packet number; false when it is a duplicate or too old to tell.</summary>
    public bool TryAcceptIncoming(ulong packetNumber, out DropReason reason)
    {
        var sequence = (ushort)packetNumber;
        if (!_receivedAny)
        {
            _receivedAny = true;
            _largestReceivedNumber = packetNumber;
            _latestReceived = sequence;
            _receivedBits = 0;
            reason = DropReason.None;
            return true;
        }
        var ahead = (short)(sequence - _latestReceived);
        if (ahead > 0)
        {
            _receivedBits = ahead >= 32 ? 0 : (_receivedBits << ahead) | (1u << (ahead - 1));
            _latestReceived = sequence;
            _largestReceivedNumber = packetNumber;
            reason = DropReason.None;
            return true;
        }
        if (ahead == 0)
        {
            reason = DropReason.Duplicate;
            return false;
        }
        var behind = -ahead;
        if (behind > 32)
        {
            reason = DropReason.Stale;
            return false;
        }
        var bit = 1u << (behind - 1);
        if ((_receivedBits & bit) != 0)
        {
            reason = DropReason.Duplicate;
            return false;
        }
        _receivedBits |= bit;
        reason = DropReason.None;
        return true;
    }

    /// <summary>
    /// Applies the peer's ack and ack bits to our sent packets. A packet still unacknowledged once
    /// it is older than the ack bits reach can no longer be acknowledged: it is counted lost.
    /// </summary>
    public void ApplyAcks(ushort ack, uint ackBits, ref ConnectionStats stats)
    {
        if ((short)((ushort)_nextPacketNumber - ack) <= 0)
        {
            return; // acknowledges something we never sent
        }
        var fresh = TakeUnapplied(ack, ackBits, out var ackIsFresh);
        if (ackIsFresh)
        {
            Acknowledge(ack, ref stats);
        }
        while (fresh != 0)
        {
            var i = BitOperations.TrailingZeroCount(fresh);
            fresh &= fresh - 1;
            Acknowledge((ushort)(ack - 1 - i), ref stats);
        }
        while ((short)(ack - _lossCursor) > 32)
        {
            var slot = _lossCursor % SentRingSize;
            if (IsPending(slot) && _sentSequence[slot] == _lossCursor)
            {
                SetPending(slot, false);
                stats.PacketsLost++;
            }
            _lossCursor++;
        }
    }

    /// <summary>
    /// The ack bits not applied by an earlier packet, and whether <paramref name="ack"/> itself is new;
    /// remembers them as applied. An ack older than the newest applied (a late packet) is checked whole.
    /// </summary>
    private uint TakeUnapplied(ushort ack, uint ackBits, out bool ackIsFresh)
    {
        var ahead = (short)(ack - _appliedAck);
        if (!_appliedAny || ahead > 32)
        {
            _appliedAny = true;
            _appliedAck = ack;
            _appliedBits = ackBits;
            ackIsFresh = true;
            return ackBits;
        }
        if (ahead < 0)
        {
            ackIsFresh = true;
            return ackBits;
        }
        // What was applied, in the new ack's frame: bit i stands for sequence ack - 1 - i.
        var applied = ahead == 0 ? _appliedBits
            : ahead == 32 ? 1u << 31
            : (_appliedBits << ahead) | (1u << (ahead - 1));
        ackIsFresh = ahead != 0;
        _appliedAck = ack;
        _appliedBits = ackBits | applied;
        return ackBits & ~applied;
    }

    private void Acknowledge(ushort sequence, ref ConnectionStats stats)
    {
        var slot = sequence % SentRingSize;
        if (IsPending(slot) && _sentSequence[slot] == sequence)
        {
            SetPending(slot, false);
            stats.PacketsAcked++;
        }
    }

    // A ulong shift takes its count modulo 64: slot 64 + i is bit i of the high word.
    private readonly bool IsPending(int slot) =>
        ((slot < 64 ? _sentPendingLow : _sentPendingHigh) & (1UL << slot)) != 0;

    private void SetPending(int slot, bool pending)
    {
        ref var word = ref slot < 64 ? ref _sentPendingLow : ref _sentPendingHigh;
        word = pending ? word | (1UL << slot) : word & ~(1UL << slot);
    }
}
