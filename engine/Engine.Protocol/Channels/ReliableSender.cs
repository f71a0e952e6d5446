using System.Buffers.Binary;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Channels;

/// <summary>
/// The sending half of the reliable ordered channel: queued messages become units (whole or
/// fragments) with consecutive u16 ids, kept in a byte ring until acknowledged. Each packet's
/// units are remembered by packet sequence, so the header's ack and ack bits acknowledge them;
/// unacknowledged units are resent after an RTT-based timeout with capped backoff. Buffers are
/// allocated on first use and kept across <see cref="Reset"/>, so pooled connections that never
/// send reliably cost little and steady state allocates nothing.
/// </summary>
internal sealed class ReliableSender
{
    // Unit slots by id modulo the current count, which grows by doubling from a few (room messages)
    // up to enough for two largest messages at the smallest payload. Powers of two, so the modulo
    // mapping of the wrapping u16 ids stays consistent as it grows.
    private const int InitialQueueSlots = 64;
    private const int MaxQueueSlots = 1024;
    private int _queueSlots = InitialQueueSlots;
    // Packets are only acknowledged within the 33 the ack bits reach, so 64 records are plenty;
    // with a small first buffer a session that only ever sends room messages stays small.
    private const int PacketSlots = 64;
    private const int InitialBufferBytes = 2 * 1024;

    /// <summary>Twice the largest message, so one can be queued while another is still in flight.</summary>
    public const int MaxBufferBytes = 2 * ReliableChannel.MaxMessageSize;

    private readonly int _maxSingleData;
    private readonly int _fragmentData;

    private byte[]? _buffer;
    private uint _head; // logical write position; physical = position & (length - 1)
    private uint _tail; // start of the oldest unacknowledged unit

    private uint[] _unitStart = [];
    private ushort[] _unitLength = [];
    private ushort[] _unitIndex = [];
    private ushort[] _unitCount = []; // 0 for a whole message, else the fragment count
    private byte[] _unitAttempts = [];
    private bool[] _unitAcked = [];
    private long[] _unitNextSendUs = [];

    private ushort[] _packetSequence = [];
    private byte[] _packetUnitCount = [];
    private ushort[] _packetUnits = [];

    private ushort _oldest;
    private ushort _nextId;
    private long _earliestDueUs = long.MaxValue;

    /// <param name="unitCapacity">The most bytes one unit may take in a packet (kind and length included).</param>
    public ReliableSender(int unitCapacity)
    {
        var lengthBytes = Varint.SizeOf((uint)unitCapacity);
        _maxSingleData = unitCapacity - 1 - lengthBytes - ReliableChannel.ReliableHeaderSize;
        _fragmentData = unitCapacity - 1 - lengthBytes - ReliableChannel.FragmentHeaderSize;
    }

    /// <summary>The largest message sent as one unit; larger ones are fragmented.</summary>
    public int MaxSingleData => _maxSingleData;
    public int FragmentData => _fragmentData;

    /// <summary>Units queued and not yet acknowledged.</summary>
    public int Pending => (ushort)(_nextId - _oldest);

    /// <summary>Bytes retained by this sender's buffers (for tests that prove the bound).</summary>
    public int RetainedBufferBytes => _buffer?.Length ?? 0;

    public void Reset()
    {
        _head = 0;
        _tail = 0;
        _oldest = 0;
        _nextId = 0;
        _earliestDueUs = long.MaxValue;
        if (_buffer is not null)
        {
            Array.Clear(_packetUnitCount);
        }
    }

    /// <summary>Queues a message; false when it is larger than 64 KiB or the window or buffer is full.</summary>
    public bool Queue(ReadOnlySpan<byte> payload, ref ConnectionStats stats)
    {
        if (payload.Length > ReliableChannel.MaxMessageSize)
        {
            return false;
        }
        var units = payload.Length <= _maxSingleData ? 1 : (payload.Length + _fragmentData - 1) / _fragmentData;
        if (units > ReliableChannel.MaxFragmentCount || Pending + units > MaxQueueSlots)
        {
            return false;
        }
        if (!EnsureSpace(payload.Length))
        {
            return false;
        }
        EnsureUnitSlots(Pending + units);
        var fragments = units == 1 ? (ushort)0 : (ushort)units;
        var offset = 0;
        for (var i = 0; i < units; i++)
        {
            var length = Math.Min(payload.Length - offset, units == 1 ? payload.Length : _fragmentData);
            var slot = _nextId % _queueSlots;
            _unitStart[slot] = _head;
            _unitLength[slot] = (ushort)length;
            _unitIndex[slot] = (ushort)i;
            _unitCount[slot] = fragments;
            _unitAttempts[slot] = 0;
            _unitAcked[slot] = false;
            _unitNextSendUs[slot] = long.MinValue;
            CopyIn(_head, payload.Slice(offset, length));
            _head += (uint)length;
            offset += length;
            _nextId++;
        }
        _earliestDueUs = long.MinValue;
        stats.ReliableSent++;
        return true;
    }

    /// <summary>Whether a unit inside the window is unsent or due for resend.</summary>
    public bool HasDue(long nowUs)
    {
        if (_earliestDueUs > nowUs)
        {
            return false;
        }
        // The cached time can be early (acks since); recompute it exactly.
        _earliestDueUs = EarliestDue();
        return _earliestDueUs <= nowUs;
    }

    /// <summary>
    /// Writes the due units that fit into <paramref name="destination"/> and records them as carried
    /// by packet <paramref name="sequence"/>. Called for every packet sent, so that the record of an
    /// older packet with the same slot is forgotten. Returns the bytes written.
    /// </summary>
    public int Write(Span<byte> destination, ushort sequence, long nowUs, long resendTimeoutUs, ref ConnectionStats stats)
    {
        if (_buffer is null)
        {
            return 0;
        }
        var packetSlot = sequence % PacketSlots;
        _packetSequence[packetSlot] = sequence;
        var carried = 0;
        var written = 0;
        var end = WindowEnd();
        for (var id = _oldest; id != end && carried < ReliableChannel.MaxUnitsPerPacket; id++)
        {
            var slot = id % _queueSlots;
            if (_unitAcked[slot] || _unitNextSendUs[slot] > nowUs)
            {
                continue;
            }
            var fragment = _unitCount[slot] != 0;
            var length = _unitLength[slot];
            var size = ReliableChannel.UnitSize(fragment, length);
            if (size > destination.Length - written)
            {
                continue; // a smaller unit further on may still fit
            }
            written += WriteUnit(destination.Slice(written), id, slot, fragment, length);
            var attempts = _unitAttempts[slot];
            if (attempts > 0)
            {
                stats.ReliableResent++;
            }
            if (attempts < byte.MaxValue)
            {
                _unitAttempts[slot] = ++attempts; // saturates; the backoff is capped long before
            }
            _unitNextSendUs[slot] = nowUs + Backoff(resendTimeoutUs, attempts);
            _packetUnits[(packetSlot * ReliableChannel.MaxUnitsPerPacket) + carried] = id;
            carried++;
        }
        _packetUnitCount[packetSlot] = (byte)carried;
        _earliestDueUs = EarliestDue();
        return written;
    }

    /// <summary>Applies the peer's ack and ack bits: every unit an acknowledged packet carried is delivered.</summary>
    public void OnAck(ushort ack, uint ackBits, ref ConnectionStats stats)
    {
        if (_buffer is null || _oldest == _nextId)
        {
            return;
        }
        AcknowledgePacket(ack, ref stats);
        while (ackBits != 0)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(ackBits);
            ackBits &= ackBits - 1;
            AcknowledgePacket((ushort)(ack - 1 - i), ref stats);
        }
    }

    private void AcknowledgePacket(ushort sequence, ref ConnectionStats stats)
    {
        var packetSlot = sequence % PacketSlots;
        int count = _packetUnitCount[packetSlot];
        if (count == 0 || _packetSequence[packetSlot] != sequence)
        {
            return;
        }
        _packetUnitCount[packetSlot] = 0;
        var pending = Pending;
        var units = _packetUnits.AsSpan(packetSlot * ReliableChannel.MaxUnitsPerPacket, count);
        foreach (var id in units)
        {
            var slot = id % _queueSlots;
            if ((ushort)(id - _oldest) < pending && !_unitAcked[slot])
            {
                _unitAcked[slot] = true;
                stats.ReliableAcked++;
            }
        }
        var advanced = false;
        while (_oldest != _nextId && _unitAcked[_oldest % _queueSlots])
        {
            var slot = _oldest % _queueSlots;
            _tail = _unitStart[slot] + _unitLength[slot];
            _oldest++;
            advanced = true;
        }
        if (advanced)
        {
            _earliestDueUs = long.MinValue; // the window slid: units beyond it may now be sendable
        }
    }

    private int WriteUnit(Span<byte> destination, ushort id, int slot, bool fragment, int length)
    {
        destination[0] = (byte)(fragment ? MessageKind.ReliableFragment : MessageKind.Reliable);
        var header = fragment ? ReliableChannel.FragmentHeaderSize : ReliableChannel.ReliableHeaderSize;
        var offset = 1 + Varint.Write(destination.Slice(1), (uint)(header + length));
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset), id);
        if (fragment)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset + 2), _unitIndex[slot]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset + 4), _unitCount[slot]);
        }
        offset += header;
        CopyOut(_unitStart[slot], destination.Slice(offset, length));
        return offset + length;
    }

    private static long Backoff(long resendTimeoutUs, int attempts)
    {
        var shift = Math.Min(attempts - 1, ReliableChannel.MaxBackoffShift);
        return Math.Min(resendTimeoutUs << shift, Math.Max(resendTimeoutUs, ReliableChannel.MaxResendDelayUs));
    }

    private ushort WindowEnd() =>
        Pending <= ReliableChannel.Window ? _nextId : (ushort)(_oldest + ReliableChannel.Window);

    private long EarliestDue()
    {
        var earliest = long.MaxValue;
        var end = WindowEnd();
        for (var id = _oldest; id != end; id++)
        {
            var slot = id % _queueSlots;
            if (!_unitAcked[slot] && _unitNextSendUs[slot] < earliest)
            {
                earliest = _unitNextSendUs[slot];
            }
        }
        return earliest;
    }

    /// <summary>Grows the unit slots (doubling) until <paramref name="units"/> fit, moving the pending units to their new slots.</summary>
    private void EnsureUnitSlots(int units)
    {
        if (units <= _queueSlots)
        {
            return;
        }
        var slots = _queueSlots;
        while (slots < units)
        {
            slots *= 2;
        }
        var start = new uint[slots];
        var length = new ushort[slots];
        var index = new ushort[slots];
        var count = new ushort[slots];
        var attempts = new byte[slots];
        var acked = new bool[slots];
        var nextSend = new long[slots];
        for (var id = _oldest; id != _nextId; id++)
        {
            int from = id % _queueSlots, to = id % slots;
            start[to] = _unitStart[from];
            length[to] = _unitLength[from];
            index[to] = _unitIndex[from];
            count[to] = _unitCount[from];
            attempts[to] = _unitAttempts[from];
            acked[to] = _unitAcked[from];
            nextSend[to] = _unitNextSendUs[from];
        }
        (_unitStart, _unitLength, _unitIndex, _unitCount, _unitAttempts, _unitAcked, _unitNextSendUs) = (start, length, index, count, attempts, acked, nextSend);
        _queueSlots = slots;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more, growing the ring up to its cap; false when full.</summary>
    private bool EnsureSpace(int bytes)
    {
        if (_buffer is null)
        {
            _buffer = new byte[InitialBufferBytes];
            _queueSlots = InitialQueueSlots;
            _unitStart = new uint[_queueSlots];
            _unitLength = new ushort[_queueSlots];
            _unitIndex = new ushort[_queueSlots];
            _unitCount = new ushort[_queueSlots];
            _unitAttempts = new byte[_queueSlots];
            _unitAcked = new bool[_queueSlots];
            _unitNextSendUs = new long[_queueSlots];
            _packetSequence = new ushort[PacketSlots];
            _packetUnitCount = new byte[PacketSlots];
            _packetUnits = new ushort[PacketSlots * ReliableChannel.MaxUnitsPerPacket];
        }
        var used = (int)(_head - _tail);
        var needed = used + bytes;
        if (needed <= _buffer.Length)
        {
            return true;
        }
        if (needed > MaxBufferBytes)
        {
            return false;
        }
        var capacity = _buffer.Length;
        while (capacity < needed)
        {
            capacity *= 2;
        }
        // Growth happens a bounded number of times per connection; the positions stay valid because
        // both capacities divide 2^32.
        var old = _buffer;
        var grown = new byte[capacity];
        for (var position = _tail; position != _head; position++)
        {
            grown[position & (uint)(capacity - 1)] = old[position & (uint)(old.Length - 1)];
        }
        _buffer = grown;
        return true;
    }

    private void CopyIn(uint position, ReadOnlySpan<byte> source)
    {
        var buffer = _buffer!;
        var start = (int)(position & (uint)(buffer.Length - 1));
        var first = Math.Min(source.Length, buffer.Length - start);
        source.Slice(0, first).CopyTo(buffer.AsSpan(start));
        source.Slice(first).CopyTo(buffer);
    }

    private void CopyOut(uint position, Span<byte> destination)
    {
        var buffer = _buffer!;
        var start = (int)(position & (uint)(buffer.Length - 1));
        var first = Math.Min(destination.Length, buffer.Length - start);
        buffer.AsSpan(start, first).CopyTo(destination);
        buffer.AsSpan(0, destination.Length - first).CopyTo(destination.Slice(first));
    }
}
