using System.Buffers.Binary;
using System.Numerics;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Channels;

/// <summary>
/// The sending half of the reliable ordered channel: queued messages become units (whole or
/// fragments) with consecutive u16 ids, kept in a byte ring until acknowledged. Each packet's
/// units are remembered by packet sequence, so the header's ack and ack bits acknowledge them;
/// unacknowledged units are resent after an RTT-based timeout with capped backoff. The buffers
/// (<see cref="ReliableSendStore"/>) are borrowed from the thread's pool when a message is queued
/// and given back once everything is acknowledged, so the thousands of idle sessions of a server
/// hold none and steady state allocates nothing.
/// </summary>
internal sealed class ReliableSender
{
    // Unit slots by id modulo the current count, which grows by doubling from a few (room messages)
    // up to enough for two largest messages at the smallest payload. Powers of two, so the modulo
    // mapping of the wrapping u16 ids stays consistent as it grows.
    private const int MaxQueueSlots = 1024;
    private const int PacketSlots = ReliableSendStore.PacketSlots;

    /// <summary>Twice the largest message, so one can be queued while another is still in flight.</summary>
    public const int MaxBufferBytes = 2 * ReliableChannel.MaxMessageSize;

    private readonly int _maxSingleData;
    private readonly int _fragmentData;

    private ReliableSendStore? _store;
    private uint _head; // logical write position; physical = position & (length - 1)
    private uint _tail; // start of the oldest unacknowledged unit

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
    public int RetainedBufferBytes => _store?.Buffer.Length ?? 0;

    public void Reset()
    {
        _oldest = 0;
        _nextId = 0;
        ReleaseStore();
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
        _store ??= ReliableSendStore.Rent();
        if (!_store.EnsureSpace(_head, _tail, payload.Length, MaxBufferBytes))
        {
            ReleaseIfIdle();
            return false;
        }
        var store = _store;
        store.EnsureUnitSlots(_oldest, _nextId, Pending + units);
        var fragments = units == 1 ? (ushort)0 : (ushort)units;
        var offset = 0;
        for (var i = 0; i < units; i++)
        {
            var length = Math.Min(payload.Length - offset, units == 1 ? payload.Length : _fragmentData);
            var slot = _nextId % store.QueueSlots;
            store.UnitStart[slot] = _head;
            store.UnitLength[slot] = (ushort)length;
            store.UnitIndex[slot] = (ushort)i;
            store.UnitCount[slot] = fragments;
            store.UnitAttempts[slot] = 0;
            store.UnitAcked[slot] = false;
            store.UnitNextSendUs[slot] = long.MinValue;
            store.CopyIn(_head, payload.Slice(offset, length));
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
        if (_store is not { } store)
        {
            return 0;
        }
        var packetSlot = sequence % PacketSlots;
        store.PacketSequence[packetSlot] = sequence;
        var carried = 0;
        var written = 0;
        var end = WindowEnd();
        for (var id = _oldest; id != end && carried < ReliableChannel.MaxUnitsPerPacket; id++)
        {
            var slot = id % store.QueueSlots;
            if (store.UnitAcked[slot] || store.UnitNextSendUs[slot] > nowUs)
            {
                continue;
            }
            var fragment = store.UnitCount[slot] != 0;
            var length = store.UnitLength[slot];
            var size = ReliableChannel.UnitSize(fragment, length);
            if (size > destination.Length - written)
            {
                continue; // a smaller unit further on may still fit
            }
            written += WriteUnit(store, destination.Slice(written), id, slot, fragment, length);
            var attempts = store.UnitAttempts[slot];
            if (attempts > 0)
            {
                stats.ReliableResent++;
            }
            if (attempts < byte.MaxValue)
            {
                store.UnitAttempts[slot] = ++attempts; // saturates; the backoff is capped long before
            }
            store.UnitNextSendUs[slot] = nowUs + Backoff(resendTimeoutUs, attempts);
            store.PacketUnits[(packetSlot * ReliableChannel.MaxUnitsPerPacket) + carried] = id;
            carried++;
        }
        store.PacketUnitCount[packetSlot] = (byte)carried;
        _earliestDueUs = EarliestDue();
        return written;
    }

    /// <summary>Applies the peer's ack and ack bits: every unit an acknowledged packet carried is delivered.</summary>
    public void OnAck(ushort ack, uint ackBits, ref ConnectionStats stats)
    {
        if (_store is not { } store || _oldest == _nextId)
        {
            return;
        }
        AcknowledgePacket(store, ack, ref stats);
        while (ackBits != 0)
        {
            var i = BitOperations.TrailingZeroCount(ackBits);
            ackBits &= ackBits - 1;
            AcknowledgePacket(store, (ushort)(ack - 1 - i), ref stats);
        }
        ReleaseIfIdle();
    }

    private void AcknowledgePacket(ReliableSendStore store, ushort sequence, ref ConnectionStats stats)
    {
        var packetSlot = sequence % PacketSlots;
        int count = store.PacketUnitCount[packetSlot];
        if (count == 0 || store.PacketSequence[packetSlot] != sequence)
        {
            return;
        }
        store.PacketUnitCount[packetSlot] = 0;
        var pending = Pending;
        var units = store.PacketUnits.AsSpan(packetSlot * ReliableChannel.MaxUnitsPerPacket, count);
        foreach (var id in units)
        {
            var slot = id % store.QueueSlots;
            if ((ushort)(id - _oldest) < pending && !store.UnitAcked[slot])
            {
                store.UnitAcked[slot] = true;
                stats.ReliableAcked++;
            }
        }
        var advanced = false;
        while (_oldest != _nextId && store.UnitAcked[_oldest % store.QueueSlots])
        {
            var slot = _oldest % store.QueueSlots;
            _tail = store.UnitStart[slot] + store.UnitLength[slot];
            _oldest++;
            advanced = true;
        }
        if (advanced)
        {
            _earliestDueUs = long.MinValue; // the window slid: units beyond it may now be sendable
        }
    }

    /// <summary>Everything sent was acknowledged: the buffers go back to the pool until the next message.</summary>
    private void ReleaseIfIdle()
    {
        if (_oldest == _nextId)
        {
            ReleaseStore();
        }
    }

    private void ReleaseStore()
    {
        _head = 0;
        _tail = 0;
        _earliestDueUs = long.MaxValue;
        if (_store is not null)
        {
            ReliableSendStore.Return(_store);
            _store = null;
        }
    }

    private static int WriteUnit(ReliableSendStore store, Span<byte> destination, ushort id, int slot, bool fragment, int length)
    {
        destination[0] = (byte)(fragment ? MessageKind.ReliableFragment : MessageKind.Reliable);
        var header = fragment ? ReliableChannel.FragmentHeaderSize : ReliableChannel.ReliableHeaderSize;
        var offset = 1 + Varint.Write(destination.Slice(1), (uint)(header + length));
        BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset), id);
        if (fragment)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset + 2), store.UnitIndex[slot]);
            BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(offset + 4), store.UnitCount[slot]);
        }
        offset += header;
        store.CopyOut(store.UnitStart[slot], destination.Slice(offset, length));
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
        if (_store is not { } store)
        {
            return long.MaxValue;
        }
        var earliest = long.MaxValue;
        var end = WindowEnd();
        for (var id = _oldest; id != end; id++)
        {
            var slot = id % store.QueueSlots;
            if (!store.UnitAcked[slot] && store.UnitNextSendUs[slot] < earliest)
            {
                earliest = store.UnitNextSendUs[slot];
            }
        }
        return earliest;
    }
}
