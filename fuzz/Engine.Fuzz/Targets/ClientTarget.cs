using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The client's whole receive path, <see cref="ClientConnection.Receive"/>, from each state: idle,
/// sending the hello, sending the cookie, connected, connected after a migration, and disconnected.
/// Input: a scenario byte, then a <see cref="DatagramScript"/>. Bytes 1-8 of a challenge, welcome or
/// reject are XORed with the client's random nonce, so zeros there mean "the right nonce" and the
/// input stays reproducible. As in <see cref="ConnectionTarget"/>, two clients run side by side and
/// a datagram reaches the second only when the first accepted it: a dropped one must change
/// nothing, states only move forward, and both send the same bytes (nonces blanked), and run dry.
/// </summary>
internal sealed class ClientTarget : FuzzTarget
{
    public const ulong Id = 0x8F3A2C51D7E40B01;
    public const ulong MovedId = 0x8F3A2C51D7E40B02;
    public const long StartUs = 10_000_000;

    public enum Scenario : byte
    {
        Idle,
        SendingHello,
        SendingCookie,
        Connected,
        Moved,
        Disconnected,
    }

    private const int ScenarioCount = 6;
    private static readonly byte[] s_cookie = [.. Enumerable.Range(100, ProtocolConstants.CookieSize).Select(i => (byte)i)];

    private readonly byte[] _sendA = new byte[ProtocolConstants.MaxDatagram];
    private readonly byte[] _sendB = new byte[ProtocolConstants.MaxDatagram];
    private readonly byte[] _datagram = new byte[ushort.MaxValue];

    public override string Name => "client";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        var scenario = (Scenario)(data[0] % ScenarioCount);
        var a = NewClient(scenario, StartUs);
        var b = NewClient(scenario, StartUs);
        var handlerA = default(RecordingHandler);
        var handlerB = default(RecordingHandler);
        var now = StartUs;
        Drain(a, b, now);

        var script = new DatagramScript(data.Slice(1));
        while (script.TryNext(out var elapsedMs, out var datagram))
        {
            now += elapsedMs * 1000L;
            var before = Observe(a);
            var deliveredBefore = handlerA.Hash;
            var droppedBefore = a.DroppedPackets;
            a.Receive(WithNonce(datagram, a.Nonce), now, ref handlerA);
            var accepted = a.DroppedPackets == droppedBefore;
            Check.That(a.DroppedPackets - droppedBefore is 0 or 1, "one datagram counted as several drops");
            if (accepted)
            {
                b.Receive(WithNonce(datagram, b.Nonce), now, ref handlerB);
                Check.Equal(droppedBefore, b.DroppedPackets, "the twin's verdict on the same datagram");
                CheckTransition(before.State, a.State);
            }
            else
            {
                Check.Equal(before, Observe(a), "client state after a dropped datagram");
                Check.Equal(deliveredBefore, handlerA.Hash, "messages delivered from a dropped datagram");
                b.Receive(default, now, ref handlerB); // keeps the drop counters equal
            }
            Check.Equal(Observe(b), Observe(a), "state of the twin clients");
            Check.Equal(handlerB.Hash, handlerA.Hash, "messages delivered to the twin clients");
            a.Update(now);
            b.Update(now);
            Drain(a, b, now);
        }
        now += 1_000_000;
        a.Update(now);
        b.Update(now);
        Drain(a, b, now);
    }

    private void Drain(ClientConnection a, ClientConnection b, long now) =>
        ConnectionTarget.Drain(a.PollSend, b.PollSend, null, ProtocolConstants.MaxDatagram, now, _sendA, _sendB, BlankNonce);

    /// <summary>A hello carries the client's random nonce; the twins differ there and only there.</summary>
    private static void BlankNonce(byte[] packet, int length)
    {
        if (length == ProtocolConstants.HelloSize && packet[0] == (byte)PacketType.Hello)
        {
            packet.AsSpan(7, 8).Clear();
        }
    }

    private Span<byte> WithNonce(ReadOnlySpan<byte> datagram, ulong nonce)
    {
        var copy = _datagram.AsSpan(0, datagram.Length);
        datagram.CopyTo(copy);
        if (copy.Length >= 9 && copy[0] is (byte)PacketType.Challenge or (byte)PacketType.Welcome or (byte)PacketType.Reject)
        {
            for (var i = 0; i < 8; i++)
            {
                copy[1 + i] ^= (byte)(nonce >> (8 * i));
            }
        }
        return copy;
    }

    private static void CheckTransition(ClientState from, ClientState to)
    {
        var legal = from switch
        {
            ClientState.Idle => to == ClientState.Idle,
            ClientState.SendingHello => to != ClientState.Idle,
            ClientState.SendingCookie => to is ClientState.SendingCookie or ClientState.Connected or ClientState.Disconnected,
            ClientState.Connected => to is ClientState.Connected or ClientState.Disconnected,
            _ => to == ClientState.Disconnected,
        };
        Check.That(legal, $"client went from {from} to {to}");
    }

    /// <summary>A client brought into <paramref name="scenario"/> by genuine server packets.</summary>
    public static ClientConnection NewClient(Scenario scenario, long now)
    {
        var client = new ClientConnection();
        if (scenario == Scenario.Idle)
        {
            return client;
        }
        client.Connect(now);
        var handler = default(RecordingHandler);
        Span<byte> packet = stackalloc byte[ProtocolConstants.HelloSize];
        if (scenario >= Scenario.SendingCookie && scenario != Scenario.Disconnected)
        {
            client.Receive(packet.Slice(0, HandshakePackets.WriteChallenge(packet, client.Nonce, s_cookie)), now, ref handler);
        }
        if (scenario is Scenario.Connected or Scenario.Moved)
        {
            client.Receive(packet.Slice(0, HandshakePackets.WriteWelcome(packet, Welcome(client.Nonce))), now, ref handler);
        }
        if (scenario == Scenario.Moved)
        {
            client.Move(MovedId);
        }
        if (scenario == Scenario.Disconnected)
        {
            client.Receive(packet.Slice(0, HandshakePackets.WriteReject(packet, client.Nonce, RejectReason.ServerFull)), now, ref handler);
        }
        Check.That(client.DroppedPackets == 0, $"setting up {scenario}: a genuine server packet was dropped");
        return client;
    }

    private static Welcome Welcome(ulong nonce) => new(nonce, Id, 5000, 1000, ProtocolConstants.DefaultMaxPayload);

    private static ClientObservation Observe(ClientConnection c) =>
        new(c.State, c.DisconnectReason, c.RejectReason, c.ConnectionId, c.Stats, c.Session?.IsClosed ?? false, c.Session?.ReliablePending ?? 0);

    private readonly record struct ClientObservation(
        ClientState State, DisconnectReason DisconnectReason, RejectReason RejectReason, ulong ConnectionId, ConnectionStats Stats, bool SessionClosed, int ReliablePending);

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        // Handshake replies with the nonce field zero: the target XORs in the client's own.
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var challenge = buffer.AsSpan(0, HandshakePackets.WriteChallenge(buffer, 0, s_cookie)).ToArray();
        var welcome = buffer.AsSpan(0, HandshakePackets.WriteWelcome(buffer, Welcome(0))).ToArray();
        var reject = buffer.AsSpan(0, HandshakePackets.WriteReject(buffer, 0, RejectReason.VersionMismatch)).ToArray();
        yield return ("hello-challenge-welcome", new DatagramScript.Builder().Prefix((byte)Scenario.SendingHello).Add(0, challenge).Add(20, welcome).ToArray());
        yield return ("hello-welcome", new DatagramScript.Builder().Prefix((byte)Scenario.SendingHello).Add(3, welcome).ToArray());
        yield return ("cookie-reject", new DatagramScript.Builder().Prefix((byte)Scenario.SendingCookie).Add(3, reject).ToArray());
        yield return ("idle-challenge", new DatagramScript.Builder().Prefix((byte)Scenario.Idle).Add(0, challenge).ToArray());
        yield return ("disconnected-welcome", new DatagramScript.Builder().Prefix((byte)Scenario.Disconnected).Add(0, welcome).ToArray());

        // Session packets from a genuine server connection under the id the welcome gave.
        var now = StartUs;
        var server = new Connection(Id, ConnectionOptions.Default, now);
        server.QueueReliable([(byte)RoomOp.Application, 9, 9]);
        server.QueueReliable(ConnectionTarget.FilledBytes(2000, 5));
        server.QueueUnreliable(MessageKind.Snapshot, ConnectionTarget.SnapshotMessageOf(1, [10, 1, 0]));
        var connected = new DatagramScript.Builder().Prefix((byte)Scenario.Connected);
        int length;
        while ((length = server.PollSend(buffer, now)) > 0)
        {
            connected.Add(2, buffer.AsSpan(0, length));
        }
        yield return ("connected-server-packets", connected.ToArray());

        var moved = new Connection(MovedId, ConnectionOptions.Default, now);
        moved.QueueUnreliable([4, 5, 6]);
        length = moved.PollSend(buffer, now);
        var afterMove = new DatagramScript.Builder().Prefix((byte)Scenario.Moved).Add(1, buffer.AsSpan(0, length));
        server.QueueUnreliable([7]);
        length = server.PollSend(buffer, now + 1000);
        afterMove.Add(1, buffer.AsSpan(0, length));
        yield return ("migrated-both-ids", afterMove.ToArray());

        server.Close(DisconnectReason.Kicked);
        length = server.PollSend(buffer, now + 2000);
        yield return ("connected-kicked", new DatagramScript.Builder().Prefix((byte)Scenario.Connected).Add(1, buffer.AsSpan(0, length)).ToArray());
    }
}
