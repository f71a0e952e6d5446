using System.Buffers.Binary;
using Engine.Protocol.Channels;
using Engine.Protocol.Security;
using Engine.Protocol.Wire;

namespace Engine.Protocol.Sessions;

/// <summary>
/// One established session, sans-IO: it takes parsed packets and a time, and writes the packets to
/// send. Server sessions and <see cref="ClientConnection"/> both use it. Owned by one thread.
/// </summary>
public sealed class Connection
{
    private const int PingMessageSize = 1 + 1 + 8;
    private const int ControlReserve = 2 * PingMessageSize;

    // Pending buffers of closed connections that a thread keeps for its next sessions, and that threads share.
    private const int PendingPooledPerThread = 8192;
    private const int PendingPooledShared = 8192;

    private readonly ConnectionOptions _options;
    private readonly int _sealOverhead;
    // Unreliable messages queued for the next packet. The buffer is borrowed when the first is
    // queued and kept until the connection closes or is reset, then given back to the pool: a session
    // that never sends (a handshake that goes no further) holds none, and steady play allocates nothing.
    private readonly int _pendingCapacity;
    private byte[]? _pending;
    private readonly ReliableSender _reliableSender;
    private readonly ReliableReceiver _reliableReceiver;
    private int _pendingLength;
    private AckWindow _acks = new();
    private ConnectionStats _stats;
    private long _lastReceiveUs;
    private long _nextPingUs;
    private bool _pongOwed;
    private long _pongEcho;
    private int _disconnectsToSend;
    private bool _closed;
    private bool _ackOwed;
    private bool _reliableFirst;
    private PacketProtection? _protection;

    public Connection(ulong id, ConnectionOptions options, long nowUs, PacketProtection? protection = null)
    {
        _options = options;
        // Sealed packets end in a tag: the messages get that much less room.
        _sealOverhead = options.Sealed ? SecurityConstants.TagSize : 0;
        _pendingCapacity = options.MaxPayload - _sealOverhead - ProtocolConstants.SessionHeaderSize - ControlReserve;
        // A reliable unit fits wherever queued unreliable bytes would, so one always fits a packet.
        _reliableSender = new ReliableSender(_pendingCapacity);
        _reliableReceiver = new ReliableReceiver(options.MaxPayload - ProtocolConstants.SessionHeaderSize);
        Reset(id, nowUs, protection);
    }

    public ulong Id { get; private set; }

    /// <summary>Switches the id written into every packet from now on (a session handed to another shard).</summary>
    public void ChangeId(ulong id) => Id = id;

    /// <summary>
    /// Makes this object a fresh connection with another id (and, when sealed, the session's keys), so
    /// servers can pool them. The connection owns the protection from now on: see <see cref="ReleaseProtection"/>.
    /// </summary>
    public void Reset(ulong id, long nowUs, PacketProtection? protection = null)
    {
        if (protection is not null && !_options.Sealed)
        {
            throw new ArgumentException("This connection's options do not seal packets.", nameof(protection));
        }
        ReleaseProtection();
        _protection = protection;
        Id = id;
        DropPending();
        _acks.Reset();
        _stats = default;
        _lastReceiveUs = nowUs;
        _nextPingUs = nowUs + _options.PingIntervalUs;
        _pongOwed = false;
        _pongEcho = 0;
        _disconnectsToSend = 0;
        _closed = false;
        _ackOwed = false;
        _reliableFirst = false;
        _reliableSender.Reset();
        _reliableReceiver.Reset();
        CloseReason = DisconnectReason.None;
    }
    public bool IsClosed => _closed;

    /// <summary>Whether every packet is sealed with the session's keys.</summary>
    public bool IsSealed => _protection is not null;

    /// <summary>Wipes the session keys once the session has ended (its last packets are out) and pools them for the next session's.</summary>
    public void ReleaseProtection()
    {
        _protection?.Recycle();
        _protection = null;
    }

    public DisconnectReason CloseReason { get; private set; }
    public ref readonly ConnectionStats Stats => ref _stats;
    public long LastReceiveUs => _lastReceiveUs;
    public ConnectionOptions Options => _options;

    /// <summary>The largest application message that fits in one packet.</summary>
    public int MaxMessageSize => _pendingCapacity - 1 - Varint.SizeOf((uint)_pendingCapacity);

    /// <summary>The largest reliable message <see cref="QueueReliable"/> takes (larger ones are fragmented up to this).</summary>
    public static int MaxReliableMessageSize => ReliableChannel.MaxMessageSize;

    /// <summary>Reliable units (messages or fragments) queued and not yet acknowledged.</summary>
    public int ReliablePending => _reliableSender.Pending;

    internal ReliableSender ReliableSender => _reliableSender;
    internal ReliableReceiver ReliableReceiver => _reliableReceiver;

    /// <summary>Whether <see cref="PollSend"/> would write a packet now.</summary>
    public bool HasOutput(long nowUs) =>
        _disconnectsToSend > 0
        || (!_closed && (_pendingLength > 0 || _pongOwed || _ackOwed || nowUs >= _nextPingUs || _reliableSender.HasDue(nowUs)));

    public bool HasTimedOut(long nowUs) => nowUs - _lastReceiveUs > _options.TimeoutUs;

    /// <summary>
    /// Takes one session packet whose header is already parsed: <see cref="Unseal"/>, then <see cref="ReceiveUnsealed"/>.
    /// A sealed packet is decrypted in place.
    /// </summary>
    public DropReason Receive<THandler>(in SessionHeader header, Span<byte> packet, long nowUs, ref THandler handler)
        where THandler : struct, IMessageHandler
    {
        var reason = Unseal(header, packet, out var plainLength);
        return reason != DropReason.None ? reason : ReceiveUnsealed(header, packet.Slice(0, plainLength), nowUs, ref handler);
    }

    /// <summary>
    /// The checks that cost no state: the size, the seal (decrypted in place; a forged or tampered packet
    /// fails as <see cref="DropReason.AuthFailed"/>) and the replay window (duplicate or stale). It records
    /// nothing, so a server can count the packet against limits only once it is known to be genuine. On
    /// success <paramref name="plainLength"/> is the header and messages without the tag.
    /// </summary>
    public DropReason Unseal(in SessionHeader header, Span<byte> packet, out int plainLength)
    {
        plainLength = 0;
        if (_closed)
        {
            return DropReason.UnexpectedPacket;
        }
        if (packet.Length > _options.MaxPayload)
        {
            return DropReason.Oversized;
        }
        if (_protection is not null)
        {
            if (packet.Length < ProtocolConstants.SessionHeaderSize + SecurityConstants.TagSize)
            {
                return DropReason.TooShort;
            }
            if (!_protection.TryOpen(packet, _acks.DecodePacketNumber(header.Sequence)))
            {
                return DropReason.AuthFailed;
            }
        }
        var replay = _acks.Check(header.Sequence);
        if (replay != DropReason.None)
        {
            return replay;
        }
        plainLength = packet.Length - _sealOverhead;
        return DropReason.None;
    }

    /// <summary>
    /// Takes a packet that passed <see cref="Unseal"/> (header and plaintext messages). The whole packet is
    /// validated before any message is acted on, so a malformed packet changes nothing.
    /// </summary>
    public DropReason ReceiveUnsealed<THandler>(in SessionHeader header, ReadOnlySpan<byte> packet, long nowUs, ref THandler handler)
        where THandler : struct, IMessageHandler
    {
        if (_closed)
        {
            return DropReason.UnexpectedPacket;
        }
        var body = packet.Slice(ProtocolConstants.SessionHeaderSize);
        var invalid = Validate(body);
        if (invalid != DropReason.None)
        {
            return invalid;
        }
        if (!_acks.TryAcceptIncoming(_acks.DecodePacketNumber(header.Sequence), out var stale))
        {
            return stale;
        }
        if (header.HasAck)
        {
            _acks.ApplyAcks(header.Ack, header.AckBits, ref _stats);
            _reliableSender.OnAck(header.Ack, header.AckBits, ref _stats);
        }
        _lastReceiveUs = nowUs;
        _stats.PacketsReceived++;
        _stats.BytesReceived += packet.Length + _sealOverhead;

        while (!body.IsEmpty)
        {
            var kind = (MessageKind)body[0];
            Varint.TryRead(body.Slice(1), out var length, out var lengthBytes);
            var payload = body.Slice(1 + lengthBytes, (int)length);
            body = body.Slice(1 + lengthBytes + (int)length);
            switch (kind)
            {
                case MessageKind.Ping:
                    _pongOwed = true;
                    _pongEcho = BinaryPrimitives.ReadInt64LittleEndian(payload);
                    break;
                case MessageKind.Pong:
                    OnPong(BinaryPrimitives.ReadInt64LittleEndian(payload), nowUs);
                    break;
                case MessageKind.Disconnect:
                    _closed = true;
                    DropPending();
                    CloseReason = (DisconnectReason)payload[0];
                    return DropReason.None;
                case MessageKind.Unreliable:
                    _stats.MessagesReceived++;
                    handler.OnMessage(payload);
                    break;
                case MessageKind.Input or MessageKind.Snapshot:
                    _stats.MessagesReceived++;
                    handler.OnGameMessage(kind, payload);
                    break;
                case MessageKind.Reliable:
                    // Answer soon even with nothing to say, so the sender learns of the ack without waiting for a ping.
                    _ackOwed = true;
                    _reliableReceiver.Receive(
                        BinaryPrimitives.ReadUInt16LittleEndian(payload), 0, 0,
                        payload.Slice(ReliableChannel.ReliableHeaderSize), ref handler, ref _stats);
                    break;
                case MessageKind.ReliableFragment:
                    _ackOwed = true;
                    _reliableReceiver.Receive(
                        BinaryPrimitives.ReadUInt16LittleEndian(payload),
                        BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(2)),
                        BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(4)),
                        payload.Slice(ReliableChannel.FragmentHeaderSize), ref handler, ref _stats);
                    break;
            }
        }
        return DropReason.None;
    }

    /// <summary>Checks every message's kind and length against the bytes present.</summary>
    internal static DropReason Validate(ReadOnlySpan<byte> body)
    {
        while (!body.IsEmpty)
        {
            var kind = (MessageKind)body[0];
            if (!Varint.TryRead(body.Slice(1), out var length, out var lengthBytes) || length > (uint)(body.Length - 1 - lengthBytes))
            {
                return DropReason.MalformedMessage;
            }
            var payload = body.Slice(1 + lengthBytes, (int)length);
            var valid = kind switch
            {
                MessageKind.Ping or MessageKind.Pong => length == 8,
                MessageKind.Disconnect => length == 1,
                MessageKind.Unreliable or MessageKind.Input or MessageKind.Snapshot => true,
                MessageKind.Reliable => length >= ReliableChannel.ReliableHeaderSize,
                MessageKind.ReliableFragment => IsValidFragment(payload),
                _ => (bool?)null,
            };
            if (valid is null)
            {
                return DropReason.UnknownMessage;
            }
            if (!valid.Value)
            {
                return DropReason.MalformedMessage;
            }
            body = body.Slice(1 + lengthBytes + (int)length);
        }
        return DropReason.None;
    }

    /// <summary>A fragment carries at least one byte, its count is 2..1024 and its index below the count.</summary>
    private static bool IsValidFragment(ReadOnlySpan<byte> payload)
    {
        if (payload.Length <= ReliableChannel.FragmentHeaderSize)
        {
            return false;
        }
        int index = BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(2));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(4));
        return count >= 2 && count <= ReliableChannel.MaxFragmentCount && index < count;
    }

    /// <summary>
    /// Queues a reliable message: delivered to the peer exactly once and in order, fragmented when it
    /// does not fit one packet. False when it is larger than 64 KiB, the send window or buffer is full
    /// (try again after acks arrive), or the connection is closed.
    /// </summary>
    public bool QueueReliable(ReadOnlySpan<byte> payload) => !_closed && _reliableSender.Queue(payload, ref _stats);

    /// <summary>Queues an application message for the next packet; false when it does not fit (send first) or the connection is closed.</summary>
    public bool QueueUnreliable(ReadOnlySpan<byte> payload) => QueueUnreliable(MessageKind.Unreliable, payload);

    /// <summary>Queues an unreliable message of the given kind (application, input, snapshot) for the next packet.</summary>
    public bool QueueUnreliable(MessageKind kind, ReadOnlySpan<byte> payload)
    {
        var needed = 1 + Varint.SizeOf((uint)payload.Length) + payload.Length;
        if (_closed || needed > _pendingCapacity - _pendingLength)
        {
            return false;
        }
        var target = (_pending ??= RentPending()).AsSpan(_pendingLength);
        target[0] = (byte)kind;
        var lengthBytes = Varint.Write(target.Slice(1), (uint)payload.Length);
        payload.CopyTo(target.Slice(1 + lengthBytes));
        _pendingLength += needed;
        _stats.MessagesSent++;
        return true;
    }

    /// <summary>Closes from this side: queued messages are discarded and the disconnect is sent a few times.</summary>
    public void Close(DisconnectReason reason)
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        CloseReason = reason;
        DropPending();
        _disconnectsToSend = _options.DisconnectRepeats;
    }

    /// <summary>Writes the next packet due (queued messages, ping, pong, disconnect); 0 when nothing is due.</summary>
    public int PollSend(Span<byte> destination, long nowUs)
    {
        if (_options.Sealed && _protection is null)
        {
            return 0; // keys released (or never given): nothing may leave unsealed
        }
        if (_disconnectsToSend > 0)
        {
            _disconnectsToSend--;
            var offset = WriteHeader(destination, out var number);
            destination[offset++] = (byte)MessageKind.Disconnect;
            destination[offset++] = 1;
            destination[offset++] = (byte)CloseReason;
            return Sent(destination, offset, number);
        }
        if (!HasOutput(nowUs))
        {
            return 0;
        }
        var packet = destination;
        var length = WriteHeader(destination, out var packetNumber);
        var sequence = (ushort)packetNumber;
        destination = destination.Slice(0, Math.Min(destination.Length, _options.MaxPayload) - _sealOverhead);
        if (nowUs >= _nextPingUs)
        {
            length += WriteTimestamp(destination.Slice(length), MessageKind.Ping, nowUs);
            _nextPingUs = nowUs + _options.PingIntervalUs;
        }
        if (_pongOwed)
        {
            length += WriteTimestamp(destination.Slice(length), MessageKind.Pong, _pongEcho);
            _pongOwed = false;
        }
        // Reliable units and queued unreliable bytes take turns going first, so neither starves the other.
        var resendTimeoutUs = ReliableChannel.ResendTimeoutUs(_stats.SmoothedRttUs, _stats.RttVarianceUs);
        var reliableFirst = _reliableFirst && _pendingLength > 0;
        if (reliableFirst)
        {
            length += _reliableSender.Write(destination.Slice(length), sequence, nowUs, resendTimeoutUs, ref _stats);
        }
        if (_pendingLength <= destination.Length - length)
        {
            _pending.AsSpan(0, _pendingLength).CopyTo(destination.Slice(length));
            length += _pendingLength;
            _pendingLength = 0; // the buffer stays: giving it back after every packet let a new peak of sessions with output allocate mid-game
        }
        if (!reliableFirst)
        {
            length += _reliableSender.Write(destination.Slice(length), sequence, nowUs, resendTimeoutUs, ref _stats);
        }
        _reliableFirst = !_reliableFirst;
        _ackOwed = false;
        return Sent(packet, length, packetNumber);
    }

    /// <summary>A pending buffer; every one is of the largest datagram, so connections of any payload size share them.</summary>
    private byte[] RentPending() =>
        BorrowPool<byte[]>.TryRent() is { } pooled && pooled.Length >= _pendingCapacity ? pooled : new byte[ProtocolConstants.MaxDatagram];

    /// <summary>Forgets the queued messages and gives their buffer back (the connection closed or starts again).</summary>
    private void DropPending()
    {
        _pendingLength = 0;
        if (_pending is not null)
        {
            BorrowPool<byte[]>.Return(_pending, PendingPooledPerThread, PendingPooledShared);
            _pending = null;
        }
    }

    private int WriteHeader(Span<byte> destination, out ulong packetNumber)
    {
        packetNumber = _acks.NextSend(ref _stats);
        var header = new SessionHeader(Id, (ushort)packetNumber, _acks.LatestReceived, _acks.ReceivedBits, _stats.PacketsReceived > 0);
        return header.Write(destination);
    }

    /// <summary>Seals a finished packet (the messages encrypted, the tag appended) and counts it.</summary>
    private int Sent(Span<byte> packet, int length, ulong packetNumber)
    {
        if (_protection is not null)
        {
            length = _protection.Seal(packet, length, packetNumber);
        }
        _stats.PacketsSent++;
        _stats.BytesSent += length;
        return length;
    }

    private static int WriteTimestamp(Span<byte> destination, MessageKind kind, long timeUs)
    {
        destination[0] = (byte)kind;
        destination[1] = 8;
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(2), timeUs);
        return PingMessageSize;
    }

    private void OnPong(long echoedUs, long nowUs)
    {
        var rtt = nowUs - echoedUs;
        if (echoedUs <= 0 || rtt < 0 || rtt > _options.TimeoutUs)
        {
            return;
        }
        _stats.LastRttUs = rtt;
        _stats.RttSamples++;
        if (_stats.SmoothedRttUs == 0)
        {
            _stats.SmoothedRttUs = rtt;
            _stats.RttVarianceUs = rtt / 2;
        }
        else
        {
            _stats.RttVarianceUs = ((3 * _stats.RttVarianceUs) + Math.Abs(_stats.SmoothedRttUs - rtt)) / 4;
            _stats.SmoothedRttUs = ((7 * _stats.SmoothedRttUs) + rtt) / 8;
        }
    }
}
