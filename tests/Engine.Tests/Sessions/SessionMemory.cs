using System.Security.Cryptography;
using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Snapshots;
using Engine.Server.Simulation;
using Engine.Tests.Snapshots;
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
            new("Session (with its Connection)", BytesPer(count, _ => pool.Rent(1, TestSessions.Address(), 1, 0))),
            new("PacketProtection (keys)", BytesPer(count, _ => NewProtection())),
            new($"SnapshotView ({RoomSize} slots)", BytesPer(count, _ => new SnapshotView(RoomSize))),
            new($"Priority float[{RoomSize}]", BytesPer(count, _ => new float[RoomSize])),
            new($"Room ({RoomSize} slots) / {RoomSize}", BytesPer(count / RoomSize, _ => NewRoom()) / RoomSize),
            new("Connected, in a room, snapshots acked", Connected(count)),
        };
        return lines;
    }

    /// <summary>
    /// Bytes per session of <paramref name="count"/> sessions as a shard holds them: sealed, seated
    /// in rooms of <see cref="RoomSize"/> (rooms included), three snapshots sent in packets and acknowledged.
    /// </summary>
    public static double Connected(int count)
    {
        var options = ServerConnectionOptions();
        var pool = new SessionPool(options, retained: count);
        var directory = new RoomDirectory(maxRooms: count / RoomSize + 1);
        var counters = new ShardCounters();
        var service = new SnapshotService<QueueingOutput>(TickRate, SnapshotRate, counters, new ShardHistograms(), default);
        var packet = new byte[ProtocolConstants.MaxDatagram];
        var rooms = new List<Room>();
        var sessions = new List<Session>(count);
        var nowUs = 100_000_000L;
        BuildRoomOf(1, directory, pool, options, rooms, sessions, service, packet, ref nowUs); // first-use costs
        rooms.Clear();
        sessions.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        BuildRoomOf(count / RoomSize, directory, pool, options, rooms, sessions, service, packet, ref nowUs);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(rooms);
        GC.KeepAlive(sessions);
        return (double)bytes / sessions.Count;
    }

    private static void BuildRoomOf(int roomCount, RoomDirectory directory, SessionPool pool, ConnectionOptions options,
        List<Room> rooms, List<Session> sessions, SnapshotService<QueueingOutput> service, byte[] packet, ref long nowUs)
    {
        for (var r = 0; r < roomCount; r++)
        {
            Assert.Equal(RoomStatus.Ok, directory.TryCreate($"memory-{rooms.Count}-{nowUs}", 0, RoomSize, false, null, out var entry));
            var mode = new PlacedMode(RoomSize);
            var room = new Room(entry!, mode);
            rooms.Add(room);
            for (var slot = 0; slot < RoomSize; slot++)
            {
                var session = pool.Rent((ulong)(sessions.Count + 1), TestSessions.Address(), (uint)(sessions.Count + 1), nowUs, NewProtection());
                Assert.Equal(slot, room.Seat(session));
                mode[slot] = new() { PositionX = slot * 1000, PositionZ = r * 1000 };
                sessions.Add(session);
            }
            for (uint tick = 3; tick <= 9; tick += 3)
            {
                nowUs += 1_000_000 / SnapshotRate;
                service.BeginTick(OverloadLevel.Normal);
                service.Send(room, tick, nowUs);
                foreach (var session in room.Slots)
                {
                    while (session!.Connection.PollSend(packet, nowUs) > 0)
                    {
                    }
                    session.View!.Acknowledge(tick, room.History, TickRate);
                }
            }
        }
    }

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
        return new Room(entry, new PlacedMode(RoomSize));
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
