using System.Security.Cryptography;
using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Snapshots;
using Engine.Tests.Snapshots;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Sessions;

/// <summary>
/// Measures the managed bytes a server holds per connected player, without a socket: sessions as
/// a shard holds them (sealed, seated in rooms, a few snapshots sent and acknowledged), and each
/// component of a session built on its own. Bytes are counted as this thread allocates them
/// (exact, and blind to other tests running at once); everything built is kept alive, so for
/// these allocation-once objects allocated equals retained.
/// </summary>
internal static class SessionMemory
{
    public const int RoomSize = 50;
    public const int TickRate = 60;
    public const int SnapshotRate = 20;

    /// <summary>The room's snapshot frames at <see cref="SnapshotRate"/> with the engine's default history (1 s).</summary>
    public static readonly int HistoryDepth = new ServerOptions { TickRate = TickRate, SnapshotRate = SnapshotRate }.SnapshotHistoryDepth;

    public sealed record Line(string Component, double BytesPerSession);

    /// <summary>Bytes per item of <paramref name="count"/> items built by <paramref name="build"/>, all kept alive while counting.</summary>
    public static double BytesPer(int count, Func<int, object> build)
    {
        var keep = new object[count];
        build(0); // first-use costs (type statics, pools' own structures) are not per session
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < count; i++)
        {
            keep[i] = build(i);
        }
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(keep);
        return (double)bytes / count;
    }

    /// <summary>Each part of a session, built <paramref name="count"/> times; the last line is the whole, as <see cref="Connected"/> builds it.</summary>
    public static List<Line> Breakdown(int count)
    {
        var options = ServerConnectionOptions();
        var pool = new SessionPool(options, retained: 1);
        var lines = new List<Line>
        {
            new("Connection (sans keys)", BytesPer(count, _ => new Connection(0, options, 0))),
            new("Session (with its Connection)", BytesPer(count, _ => pool.Rent(1, default, 1, 0))),
            new("PacketProtection (keys)", BytesPer(count, _ => NewProtection())),
            new($"SnapshotView ({RoomSize} slots)", BytesPer(count, _ => new SnapshotView(RoomSize))),
            new($"Priority float[{RoomSize}]", BytesPer(count, _ => new float[RoomSize])),
            new($"Room ({RoomSize} slots) / {RoomSize}", BytesPer(count / RoomSize, _ => NewRoom()) / RoomSize),
            new("Pending-message buffer, from the first message to the close", BytesPer(count, _ => new byte[ProtocolConstants.MaxDatagram])),
            new("Connected, in a room, snapshots acked", Connected(count)),
        };
        return lines;
    }

    /// <summary>
    /// Bytes per session of <paramref name="count"/> sessions as a shard holds them: sealed, seated
    /// in rooms of <see cref="RoomSize"/> (rooms included), three snapshots each sent in packets and
    /// acknowledged. As on a shard, the rooms snapshot in turn (one phase of
    /// <see cref="TicksPerSnapshot"/> per tick) and each tick's packets are flushed at its end, so
    /// the pending-message buffers counted are those of one phase's sessions at once.
    /// </summary>
    public static double Connected(int count)
    {
        var options = ServerConnectionOptions();
        var pool = new SessionPool(options, retained: count);
        var directory = new RoomDirectory(maxRooms: count / RoomSize + 2);
        var service = new SnapshotService<QueueingOutput>(TickRate, SnapshotRate, new ShardCounters(), new ShardHistograms(), default);
        var packet = new byte[ProtocolConstants.MaxDatagram];
        var nowUs = 100_000_000L;
        Build(1, directory, pool, service, packet, Addresses(RoomSize), ref nowUs); // first-use costs
        var addresses = Addresses(count); // a socket's addresses are not the session's

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (rooms, sessions) = Build(count / RoomSize, directory, pool, service, packet, addresses, ref nowUs);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(rooms);
        return (double)bytes / sessions.Count;
    }

    public const int TicksPerSnapshot = TickRate / SnapshotRate;

    private static (List<Room> Rooms, List<Session> Sessions) Build(int roomCount, RoomDirectory directory, SessionPool pool,
        SnapshotService<QueueingOutput> service, byte[] packet, PeerAddress[] addresses, ref long nowUs)
    {
        var rooms = new List<Room>(roomCount);
        var sessions = new List<Session>(roomCount * RoomSize);
        for (var r = 0; r < roomCount; r++)
        {
            Assert.Equal(RoomStatus.Ok, directory.TryCreate($"memory-{r}-{nowUs}", 0, RoomSize, false, null, out var entry));
            var mode = new PlacedMode(RoomSize);
            var room = new Room(entry!, mode, HistoryDepth);
            rooms.Add(room);
            for (var slot = 0; slot < RoomSize; slot++)
            {
                var session = pool.Rent((ulong)(sessions.Count + 1), addresses[sessions.Count], (uint)(sessions.Count + 1), nowUs, NewProtection());
                if (room.Seat(session) != slot)
                {
                    Assert.Fail($"seated elsewhere than slot {slot}"); // Assert.Equal itself allocates: kept out of the count
                }
                mode[slot] = new() { PositionX = slot * 1000, PositionZ = r * 1000 };
                sessions.Add(session);
            }
        }
        for (uint tick = TicksPerSnapshot; tick < 4 * TicksPerSnapshot; tick++)
        {
            nowUs += 1_000_000 / TickRate;
            service.BeginTick(OverloadLevel.Normal);
            for (var r = 0; r < rooms.Count; r++)
            {
                if ((tick + r) % TicksPerSnapshot == 0)
                {
                    service.Send(rooms[r], tick, nowUs);
                }
            }
            foreach (var session in sessions)
            {
                while (session.Connection.PollSend(packet, nowUs) > 0)
                {
                }
            }
            for (var r = 0; r < rooms.Count; r++)
            {
                if ((tick + r) % TicksPerSnapshot == 0)
                {
                    foreach (var session in rooms[r].Slots)
                    {
                        session!.View!.Acknowledge(tick, rooms[r].History, TickRate);
                    }
                }
            }
        }
        return (rooms, sessions);
    }

    private static PeerAddress[] Addresses(int count) => Enumerable.Range(0, count).Select(_ => TestSessions.Address()).ToArray();

    private static ConnectionOptions ServerConnectionOptions() => new()
    {
        MaxPayload = ProtocolConstants.DefaultMaxPayload,
        Sealed = true,
    };

    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);

    private static PacketProtection NewProtection() => PacketProtection.ForServer(s_key, s_key);

    private static int s_room;

    private static Room NewRoom()
    {
        var id = (uint)Interlocked.Increment(ref s_room);
        var name = $"room-{id}";
        var entry = new RoomEntry(id, name, Encoding.UTF8.GetBytes(name), 0, RoomSize, false, null);
        return new Room(entry, new PlacedMode(RoomSize), HistoryDepth);
    }

    /// <summary>Snapshots go into the session's connection, as the shard's output puts them.</summary>
    private readonly struct QueueingOutput : ISessionOutput
    {
        public void SendReliable(Session session, ReadOnlySpan<byte> message, long nowUs) => session.Connection.QueueReliable(message);

        public void SendSnapshot(Session session, ReadOnlySpan<byte> message, long nowUs) => session.Connection.QueueUnreliable(MessageKind.Snapshot, message);

        public void RequestMove(Session session, int shard, in RoomJoin join)
        {
        }
    }
}
