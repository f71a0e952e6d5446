namespace Engine.Protocol.Sessions;

/// <summary>
/// Sequence bookkeeping of one direction pair: which incoming sequences were seen (for the ack and
/// ack bits we send, and to drop duplicates) and which of our sent packets the peer acknowledged
/// (for the loss estimate). Sequences are u16 and wrap.
/// </summary>
internal struct AckWindow
{
    private const int SentRingSize = 256;

    private ushort _nextSequence;
    private ushort _lossCursor;
    private ushort _latestReceived;
    private uint _receivedBits;
    private bool _receivedAny;

    // Sent packets not yet acknowledged, by sequence modulo the ring size.
    private readonly bool[] _sentPending;
    private readonly ushort[] _sentSequence;

    public AckWindow()
    {
        _sentPending = new bool[SentRingSize];
        _sentSequence = new ushort[SentRingSize];
    }

    public void Reset()
    {
        _nextSequence = 0;
        _lossCursor = 0;
        _latestReceived = 0;
        _receivedBits = 0;
        _receivedAny = false;
        Array.Clear(_sentPending);
    }

    public readonly ushort LatestReceived => _latestReceived;
    public readonly uint ReceivedBits => _receivedBits;

    /// <summary>Takes the next outgoing sequence and remembers it until acked or lost.</summary>
    public ushort NextSend(ref ConnectionStats stats)
    {
        var sequence = _nextSequence++;
        var slot = sequence % SentRingSize;
        if (_sentPending[slot])
        {
            // Never acknowledged before its slot came round again: lost.
            stats.PacketsLost++;
        }
        _sentPending[slot] = true;
        _sentSequence[slot] = sequence;
        return sequence;
    }

    /// <summary>Records an incoming sequence; false when it is a duplicate or too old to tell.</summary>
    public bool TryAcceptIncoming(ushort sequence, out DropReason reason)
    {
        if (!_receivedAny)
        {
            _receivedAny = true;
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
        if ((short)(_nextSequence - ack) <= 0)
        {
            return; // acknowledges something we never sent
        }
        Acknowledge(ack, ref stats);
        while (ackBits != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(ackBits);
            ackBits &= ackBits - 1;
            Acknowledge((ushort)(ack - 1 - i), ref stats);
        }
        while ((short)(ack - _lossCursor) > 32)
        {
            var slot = _lossCursor % SentRingSize;
            if (_sentPending[slot] && _sentSequence[slot] == _lossCursor)
            {
                _sentPending[slot] = false;
                stats.PacketsLost++;
            }
            _lossCursor++;
        }
    }

    private readonly void Acknowledge(ushort sequence, ref ConnectionStats stats)
    {
        var slot = sequence % SentRingSize;
        if (_sentPending[slot] && _sentSequence[slot] == sequence)
        {
            _sentPending[slot] = false;
            stats.PacketsAcked++;
        }
    }
}
