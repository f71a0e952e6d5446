using Engine.Client;
using Engine.Client.Netcode;
using Engine.LoadTest.Swarm;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// A simulated player applies snapshots with the SDK's applier over its own few frames
/// (<see cref="FrameRing"/>): given the same snapshots, including reordered, foreign and
/// malformed ones and a room that moved to another tick clock, it reaches the SDK's verdicts and
/// frames, and it does so without allocating.
/// </summary>
public class SwarmSnapshotTests
{
    private const int Capacity = 8;
    private const int TickRate = 60;
    private const byte OwnSlot = 1;
    private const uint PlayerId = 101;
    private const int FrameDepth = 5;

    [Fact]
    public void The_swarm_and_the_SDK_apply_the_same_snapshots_to_the_same_frames()
    {
        var server = new Server();
        var sdk = NewRoomNetcode();
        var swarm = NewSwarmPlayer();

        void Step(byte[] snapshot, SnapshotOutcome expected, uint tick = 0)
        {
            var sdkOutcome = sdk.OnSnapshot(0, snapshot, 0);
            var swarmOutcome = swarm.Apply(snapshot, out _, out var frame, out _);
            Assert.Equal(expected, sdkOutcome);
            Assert.Equal(expected, swarmOutcome);
            if (expected == SnapshotOutcome.Applied)
            {
                Assert.Same(frame, FindFrame(swarm, tick));
                Assert.True(server.Frame(tick).ContentEquals(frame!), $"the swarm's frame of tick {tick}");
                Assert.True(server.Frame(tick).ContentEquals(sdk.Latest!), $"the SDK's frame of tick {tick}");
            }
        }

        Step(server.Full(10), SnapshotOutcome.Applied, 10);
        Step(server.Delta(13, 10), SnapshotOutcome.Applied, 13);
        Step(server.Delta(16, swarm.Frames.AckTick), SnapshotOutcome.Applied, 16);
        Step(server.Delta(16, 13), SnapshotOutcome.Stale);                 // duplicated
        Step(server.Delta(14, 10), SnapshotOutcome.Stale);                 // reordered
        Step(server.Delta(19, 7), SnapshotOutcome.MissingBaseline);        // against a frame never received
        Step(server.Broken(19, 16), SnapshotOutcome.Malformed);
        Step(server.Full(20, foreign: true), SnapshotOutcome.Foreign);     // another player holds our slot
        Step(server.Delta(22, 16), SnapshotOutcome.Applied, 22);

        // The room moved to a shard whose ticks are behind ours: its full states are stale, until
        // the third in a row says our frames belong to another clock and both start over.
        Step(server.Full(2), SnapshotOutcome.Stale);
        Step(server.Full(3), SnapshotOutcome.Stale);
        Step(server.Full(4), SnapshotOutcome.Applied, 4);
        Assert.Equal(4u, swarm.Frames.AckTick);
        Step(server.Delta(5, 4), SnapshotOutcome.Applied, 5);
        Step(server.Delta(8, swarm.Frames.AckTick), SnapshotOutcome.Applied, 8);
        Assert.Equal(8u, sdk.NewestTick);
        Assert.Equal(8u, swarm.Frames.AckTick);
    }

    [Fact]
    public void Applying_snapshots_allocates_nothing_once_warm()
    {
        var server = new Server();
        var snapshots = new List<byte[]> { server.Full(1) };
        for (var tick = 4u; tick < 400; tick += 3)
        {
            snapshots.Add(server.Delta(tick, tick - 3));
        }
        var sdk = NewRoomNetcode();
        var swarm = NewSwarmPlayer();
        const int Warm = 20;
        for (var i = 0; i < Warm; i++)
        {
            Assert.Equal(SnapshotOutcome.Applied, sdk.OnSnapshot(0, snapshots[i], i * 50_000L));
            Assert.Equal(SnapshotOutcome.Applied, swarm.Apply(snapshots[i], out _, out _, out _));
        }

        var applied = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = Warm; i < snapshots.Count; i++)
        {
            applied += sdk.OnSnapshot(0, snapshots[i], i * 50_000L) == SnapshotOutcome.Applied ? 1 : 0;
            applied += swarm.Apply(snapshots[i], out _, out _, out _) == SnapshotOutcome.Applied ? 1 : 0;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2 * (snapshots.Count - Warm), applied);
        Assert.Equal(0, allocated);
    }

    private static RoomNetcode NewRoomNetcode() =>
        new(new RoomInfo(1, "room", Capacity, OwnSlot, PlayerId, false, false, [], TickRate, 20), ArenaSettings.Default with { TickRate = TickRate },
            Interpolator.DefaultDelayMs, Interpolator.DefaultMaxExtrapolationMs, new NetcodeStats());

    private static SnapshotApplier<FrameRing> NewSwarmPlayer()
    {
        var player = new SnapshotApplier<FrameRing>(new FrameRing(Capacity, FrameDepth));
        player.Start(OwnSlot, PlayerId, TickRate);
        return player;
    }

    private static SnapshotFrame? FindFrame(SnapshotApplier<FrameRing> player, uint tick) =>
        player.Frames.TryGet(tick, out var frame) ? frame : null;

    /// <summary>The server's side: a world of four walking, turning, jumping players and the snapshots of any tick against any other.</summary>
    private sealed class Server
    {
        private readonly DeltaEncoder _encoder = new(Capacity);
        private readonly SnapshotFrame _current = new(Capacity);
        private readonly SnapshotFrame _baseline = new(Capacity);
        private readonly SnapshotFrame _predicted = new(Capacity);
        private readonly byte[] _buffer = new byte[4096];

        /// <summary>The world at <paramref name="tick"/>; the same every time it is asked for.</summary>
        public SnapshotFrame Frame(uint tick, bool foreign = false) => Build(_current, tick, foreign);

        public byte[] Full(uint tick, bool foreign = false) => Encode(Build(_current, tick, foreign), null);

        public byte[] Delta(uint tick, uint baselineTick)
        {
            var baseline = Build(_baseline, baselineTick, false);
            SnapshotPrediction.Extrapolate(baseline, tick - baselineTick, TickRate, _predicted);
            return Encode(Build(_current, tick, false), _predicted);
        }

        /// <summary>A delta's header followed by a varint that never ends.</summary>
        public byte[] Broken(uint tick, uint baselineTick)
        {
            var header = new SnapshotHeader(tick, tick - baselineTick, false);
            var bytes = new byte[header.Size + 1];
            header.Write(bytes);
            bytes[^1] = 0xFF;
            return bytes;
        }

        private byte[] Encode(SnapshotFrame current, SnapshotFrame? baseline)
        {
            var result = _encoder.Encode(current, baseline, _buffer, _buffer.Length);
            Assert.True(result.Complete);
            return _buffer.AsSpan(0, result.BytesWritten).ToArray();
        }

        private static SnapshotFrame Build(SnapshotFrame frame, uint tick, bool foreign)
        {
            frame.Clear();
            frame.Tick = tick;
            for (var slot = 0; slot < 4; slot++)
            {
                var t = (int)tick + (slot * 7);
                frame.Add(slot);
                frame.Set(slot, SnapshotField.PositionX, (t * 40) + (slot * 1000));
                frame.Set(slot, SnapshotField.PositionY, (t % 5) * 100);
                frame.Set(slot, SnapshotField.PositionZ, -t * 25);
                frame.Set(slot, SnapshotField.Yaw, (t * 300) & 0xFFFF);
                frame.Set(slot, SnapshotField.VelocityX, 2400);
                frame.Set(slot, SnapshotField.VelocityZ, -1500);
                frame.Set(slot, SnapshotField.Flags, t % 5 == 0 ? (int)SnapshotFlags.Grounded : 0);
                frame.Set(slot, SnapshotField.YawRate, slot == 3 ? 300 : 0);
                frame.Set(slot, SnapshotField.Owner, 100 + slot);
            }
            if (foreign)
            {
                frame.Set(OwnSlot, SnapshotField.Owner, 999);
            }
            return frame;
        }
    }
}
