using System.Buffers.Binary;
using CsCheck;
using Engine.Protocol;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>SnapshotMessage: the last applied input (u32, little-endian) and the room epoch (u8) before the snapshot, read back exactly; short messages are dropped, never thrown on.</summary>
public class SnapshotMessageTests
{
    [Fact]
    public void Round_trips_the_prefix_and_the_snapshot()
    {
        Gen.Select(Gen.UInt, Gen.Byte, Gen.Byte.Array[0, 300]).Sample((lastApplied, epoch, snapshot) =>
        {
            var message = new byte[SnapshotMessage.Length(snapshot.Length)];
            var room = SnapshotMessage.WritePrefix(message, lastApplied, epoch);
            Assert.Equal(snapshot.Length, room.Length);
            snapshot.CopyTo(room);

            Assert.Equal(SnapshotMessage.PrefixSize + snapshot.Length, message.Length);
            Assert.Equal(lastApplied, BinaryPrimitives.ReadUInt32LittleEndian(message));
            Assert.Equal(DropReason.None, SnapshotMessage.TryRead(message, out var read, out var readEpoch, out var readSnapshot));
            Assert.Equal(lastApplied, read);
            Assert.Equal(epoch, readEpoch);
            Assert.Equal(snapshot, readSnapshot.ToArray());
        }, iter: 5_000);
    }

    [Fact]
    public void The_prefix_is_four_little_endian_bytes_then_the_epoch()
    {
        var message = new byte[SnapshotMessage.Length(2)];
        SnapshotMessage.WritePrefix(message, 0x04030201, 0xE5)[..2].Fill(9);
        Assert.Equal([1, 2, 3, 4, 0xE5, 9, 9], message);
    }

    [Fact]
    public void Drops_a_message_shorter_than_the_prefix()
    {
        Assert.Equal(5, SnapshotMessage.PrefixSize);
        for (var length = 0; length < SnapshotMessage.PrefixSize; length++)
        {
            var message = Enumerable.Repeat((byte)0xAB, length).ToArray();
            Assert.Equal(DropReason.TooShort, SnapshotMessage.TryRead(message, out var lastApplied, out var epoch, out var snapshot));
            Assert.Equal(0u, lastApplied);
            Assert.Equal(0, epoch);
            Assert.True(snapshot.IsEmpty);
        }
        Assert.Equal(DropReason.None, SnapshotMessage.TryRead(new byte[SnapshotMessage.PrefixSize], out _, out _, out var empty));
        Assert.True(empty.IsEmpty); // an empty snapshot is the snapshot decoder's to drop
    }

    [Fact]
    public void Random_bytes_never_throw_and_split_at_the_prefix()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            var reason = SnapshotMessage.TryRead(bytes, out var lastApplied, out var epoch, out var snapshot);
            if (bytes.Length < SnapshotMessage.PrefixSize)
            {
                Assert.Equal(DropReason.TooShort, reason);
                return;
            }
            Assert.Equal(DropReason.None, reason);
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bytes), lastApplied);
            Assert.Equal(bytes[4], epoch);
            Assert.Equal(bytes[SnapshotMessage.PrefixSize..], snapshot.ToArray());
        }, iter: 10_000);
    }

    [Fact]
    public void A_snapshot_of_the_budget_fits_the_message_with_its_kind_and_length()
    {
        foreach (var maxMessageSize in new[] { 64, 200, ProtocolConstants.DefaultMaxPayload, ProtocolConstants.MaxDatagram, 9000 })
        {
            var budget = SnapshotMessage.SnapshotBudget(maxMessageSize);
            var length = SnapshotMessage.Length(budget);
            Assert.True(1 + Varint.SizeOf((uint)length) + length <= Math.Min(maxMessageSize, ProtocolConstants.MaxDatagram),
                $"a {budget} B snapshot does not fit a {maxMessageSize} B message");
        }
    }

    [Fact]
    public void Writing_and_reading_allocate_nothing()
    {
        var message = new byte[SnapshotMessage.Length(64)];
        SnapshotMessage.TryRead(message, out _, out _, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0u; i < 1000; i++)
        {
            SnapshotMessage.WritePrefix(message, i, (byte)i);
            SnapshotMessage.TryRead(message, out _, out _, out _);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
