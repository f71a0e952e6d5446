using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// A script of session packets into a <see cref="Connection"/> (messages of every kind, reliable
/// units and fragments, acks of what it sent). Two identical connections run side by side; a packet
/// goes to the second only when the first accepted it. The promise "a dropped packet changes
/// nothing" then means both must stay indistinguishable: same stats and timers, same messages
/// delivered, and byte-identical packets from <see cref="Connection.PollSend"/>, which must also
/// run dry (a caller drains it until it returns 0).
/// </summary>
internal sealed class ConnectionTarget : FuzzTarget
{
    public const ulong Id = 0x8F3A2C51D7E40B01;
    public const long StartUs = 10_000_000;
    public const int MaxPollsPerDrain = 256;

    private readonly byte[] _sendA = new byte[ProtocolConstants.MaxDatagram];
    private readonly byte[] _sendB = new byte[ProtocolConstants.MaxDatagram];

    // Receiving may decrypt in place: each twin gets its own copy of the datagram.
    private readonly byte[] _packetA = new byte[ushort.MaxValue];
    private readonly byte[] _packetB = new byte[ushort.MaxValue];

    public override string Name => "connection";

    public override void Run(ReadOnlySpan<byte> data)
    {
        var a = NewConnection(StartUs);
        var b = NewConnection(StartUs);
        var handlerA = default(RecordingHandler);
        var handlerB = default(RecordingHandler);
        var now = StartUs;
        Drain(a, b, now, _sendA, _sendB, null);

        var script = new DatagramScript(data);
        while (script.TryNext(out var elapsedMs, out var packet))
        {
            now += elapsedMs * 1000L;
            if (SessionHeader.TryRead(packet, out var header) != DropReason.None)
            {
                continue; // the header has its own target; a server never hands such a datagram to a connection
            }
            var before = Observe(a, now);
            var deliveredBefore = handlerA;
            var copyA = _packetA.AsSpan(0, packet.Length);
            var copyB = _packetB.AsSpan(0, packet.Length);
            packet.CopyTo(copyA);
            packet.CopyTo(copyB);
            var reason = a.Receive(header, copyA, now, ref handlerA);
            if (reason == DropReason.None)
            {
                Check.Equal(DropReason.None, b.Receive(header, copyB, now, ref handlerB), "the twin's verdict on the same packet");
            }
            else
            {
                Check.Equal(before, Observe(a, now), $"state after a packet dropped as {reason}");
                Check.Equal(deliveredBefore.Hash, handlerA.Hash, $"messages delivered from a packet dropped as {reason}");
            }
            Check.Equal(Observe(b, now), Observe(a, now), "state of the twins");
            Check.Equal(handlerB.Hash, handlerA.Hash, "messages delivered to the twins");
            Drain(a, b, now, _sendA, _sendB, null);
        }
        now += 250_000; // resends and pings come due
        Drain(a, b, now, _sendA, _sendB, null);
    }

    /// <summary>A connection in the state the target starts from: reliable messages queued, one of them fragmented.</summary>
    public static Connection NewConnection(long nowUs)
    {
        var connection = new Connection(Id, ConnectionOptions.Default, nowUs);
        Span<byte> request = stackalloc byte[64];
        connection.QueueReliable(request.Slice(0, RoomMessages.QuickMatch(request, 1, 0)));
        connection.QueueReliable(FilledBytes(3000, 7));
        connection.QueueUnreliable("hello"u8);
        return connection;
    }

    public static byte[] FilledBytes(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)((i * 31) + seed))];

    /// <summary>A snapshot message around <paramref name="snapshot"/>, which a connection carries without reading.</summary>
    public static byte[] SnapshotMessageOf(uint lastAppliedInput, ReadOnlySpan<byte> snapshot)
    {
        var message = new byte[SnapshotMessage.Length(snapshot.Length)];
        snapshot.CopyTo(SnapshotMessage.WritePrefix(message, lastAppliedInput, roomEpoch: 1));
        return message;
    }

    /// <summary>
    /// Polls both connections until they have nothing to send, checking they write the same bytes;
    /// <paramref name="normalize"/> may blank fields that legitimately differ (the client's nonce).
    /// </summary>
    public static void Drain(Connection a, Connection b, long now, byte[] bufferA, byte[] bufferB, Action<byte[], int>? normalize) =>
        Drain(a.PollSend, b.PollSend, a.HasOutput, a.Options.MaxPayload, now, bufferA, bufferB, normalize);

    public static void Drain(
        PollSendFunc a, PollSendFunc b, Func<long, bool>? hasOutput, int maxPayload, long now, byte[] bufferA, byte[] bufferB, Action<byte[], int>? normalize)
    {
        for (var poll = 0; poll < MaxPollsPerDrain; poll++)
        {
            var expectOutput = hasOutput?.Invoke(now);
            var lengthA = a(bufferA, now);
            var lengthB = b(bufferB, now);
            if (expectOutput is { } expected)
            {
                Check.Equal(expected, lengthA > 0, "HasOutput against what PollSend wrote");
            }
            Check.Equal(lengthA, lengthB, "lengths of the twins' packets");
            if (lengthA == 0)
            {
                return;
            }
            Check.That(lengthA <= maxPayload, $"sent {lengthA} bytes, above the max payload {maxPayload}");
            normalize?.Invoke(bufferA, lengthA);
            normalize?.Invoke(bufferB, lengthB);
            Check.Bytes(bufferA.AsSpan(0, lengthA), bufferB.AsSpan(0, lengthB), "the twins' packets");
        }
        Check.Fail($"PollSend still had output after {MaxPollsPerDrain} calls at one instant (a caller drains it until 0)");
    }

    public delegate int PollSendFunc(Span<byte> destination, long nowUs);

    private static ConnectionState Observe(Connection c, long now) =>
        new(c.Stats, c.LastReceiveUs, c.IsClosed, c.CloseReason, c.ReliablePending, c.HasOutput(now), c.HasTimedOut(now), c.Id);

    private readonly record struct ConnectionState(
        ConnectionStats Stats, long LastReceiveUs, bool Closed, DisconnectReason CloseReason, int ReliablePending, bool HasOutput, bool TimedOut, ulong Id);

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        // A genuine peer: it hears what the target's connection sends first, then answers with
        // every kind of message, so its acks cover the target's packets.
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var now = StartUs;
        var local = NewConnection(now);
        var peer = new Connection(Id, ConnectionOptions.Default, now);
        var handler = default(RecordingHandler);
        int length;
        while ((length = local.PollSend(buffer, now)) > 0)
        {
            SessionHeader.TryRead(buffer.AsSpan(0, length), out var h);
            peer.Receive(h, buffer.AsSpan(0, length), now, ref handler);
        }

        Span<byte> message = stackalloc byte[128];
        peer.QueueReliable(message.Slice(0, RoomMessages.CreateRoom(message, 7, "arena"u8, 8, false, "secret"u8)));
        peer.QueueReliable([(byte)RoomOp.Application, 1, 2, 3]);
        peer.QueueReliable(FilledBytes(2500, 3));
        peer.QueueUnreliable([1, 2, 3]);
        var input = new byte[InputMessage.MaxFramedSize];
        peer.QueueUnreliable(MessageKind.Input, input.AsSpan(0, InputMessage.WriteFramed(input, 0, [new PlayerInput { Sequence = 1, Forward = 127, Buttons = InputButtons.Jump }])));
        peer.QueueUnreliable(MessageKind.Snapshot, SnapshotMessageOf(0, [10, 1, 0]));
        var packets = new List<byte[]>();
        now += 5_000;
        while ((length = peer.PollSend(buffer, now)) > 0)
        {
            packets.Add(buffer.AsSpan(0, length).ToArray());
        }
        now += 1_000_000; // the peer's ping comes due, and its unacknowledged units are resent
        while ((length = peer.PollSend(buffer, now)) > 0)
        {
            packets.Add(buffer.AsSpan(0, length).ToArray());
        }

        var inOrder = new DatagramScript.Builder();
        foreach (var p in packets)
        {
            inOrder.Add(5, p);
        }
        yield return ("peer-in-order", inOrder.ToArray());

        var reordered = new DatagramScript.Builder();
        for (var i = packets.Count - 1; i >= 0; i--)
        {
            reordered.Add(1, packets[i]);
        }
        reordered.Add(0, packets[0]); // a duplicate
        yield return ("peer-reversed-with-duplicate", reordered.ToArray());

        peer.Close(DisconnectReason.ClientRequest);
        length = peer.PollSend(buffer, now);
        yield return ("peer-disconnect", new DatagramScript.Builder().Add(0, packets[0]).Add(10, buffer.AsSpan(0, length)).ToArray());
    }
}
