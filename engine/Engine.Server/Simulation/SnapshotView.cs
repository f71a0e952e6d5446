using System.Runtime.CompilerServices;
using Engine.Protocol.Snapshots;

namespace Engine.Server.Simulation;

/// <summary>
/// What one client holds of the room's world: the frame it decoded for the newest snapshot it
/// acknowledged, rebuilt on the server exactly as the client built it. Deltas are encoded against
/// this view (extrapolated, see <see cref="SnapshotPrediction"/>), never against the server's own
/// frame, because a partial snapshot (over the byte budget) leaves some entities where the
/// client's extrapolation put them.
/// </summary>
internal sealed class SnapshotView
{
    /// <summary>Snapshots whose acknowledgement can still move the view: older frames are of no use to the room.</summary>
    public const int Remembered = 32;

    private readonly SentSnapshot[] _sent = new SentSnapshot[Remembered];
    private int _next;

    public SnapshotView(int capacity)
    {
        Frame = new SnapshotFrame(capacity);
    }

    /// <summary>The client's frame; meaningful when <see cref="Tick"/> is not 0.</summary>
    public SnapshotFrame Frame { get; }

    /// <summary>The tick of the view; 0 when the client holds nothing yet (the next snapshot is a full state).</summary>
    public uint Tick { get; private set; }

    /// <summary>The view equals the server's frame of its tick (every snapshot it came from was complete): views with this flag and the same tick are identical.</summary>
    public bool IsServerFrame { get; private set; }

    public SnapshotFrame? Baseline => Tick == 0 ? null : Frame;

    public void Reset()
    {
        Tick = 0;
        IsServerFrame = false;
        Frame.Clear();
        Array.Clear(_sent);
    }

    /// <summary>Remembers what went out at a tick: the view it was a delta against and the slots it brought up to date.</summary>
    public void RecordSent(uint tick, ReadOnlySpan<ushort> included, bool complete)
    {
        ref var sent = ref _sent[_next];
        _next = (_next + 1) % Remembered;
        sent.Tick = tick;
        sent.BaselineTick = Tick;
        sent.Complete = complete;
        sent.Included = default;
        foreach (var slot in included)
        {
            sent.Included[slot >> 6] |= 1UL << slot;
        }
    }

    /// <summary>
    /// The client acknowledged <paramref name="tick"/>: rebuild its view from the snapshot sent then
    /// (its slots from the server's frame, the rest as they were). False when that snapshot was
    /// built on a view this one has since moved past, or the frame is gone: the view stays.
    /// </summary>
    public bool Acknowledge(uint tick, SnapshotHistory history, int tickRate)
    {
        if (tick == Tick || (Tick != 0 && (int)(tick - Tick) < 0))
        {
            return false;
        }
        var index = -1;
        for (var i = 0; i < _sent.Length; i++)
        {
            if (_sent[i].Tick == tick)
            {
                index = i;
            }
        }
        if (index < 0 || !history.TryGet(tick, out var frame))
        {
            return false;
        }
        ref readonly var sent = ref _sent[index];
        if (sent.BaselineTick != Tick)
        {
            return false;
        }
        if (sent.Complete)
        {
            Frame.CopyFrom(frame);
            IsServerFrame = true;
        }
        else
        {
            if (sent.BaselineTick == 0)
            {
                Frame.Clear();
            }
            else
            {
                // Slots a partial snapshot left out stay where the client extrapolated them.
                SnapshotPrediction.Extrapolate(Frame, tick - sent.BaselineTick, tickRate, Frame);
            }
            for (var slot = 0; slot < frame.Capacity; slot++)
            {
                if ((sent.Included[slot >> 6] & (1UL << slot)) != 0)
                {
                    CopySlot(frame, slot);
                }
            }
            IsServerFrame = false;
        }
        Frame.Tick = tick;
        Tick = tick;
        return true;
    }

    private void CopySlot(SnapshotFrame source, int slot)
    {
        if (!source.IsPresent(slot))
        {
            Frame.Remove(slot);
            return;
        }
        Frame.Add(slot);
        for (var field = 0; field < SnapshotSchema.FieldCount; field++)
        {
            Frame.Set(slot, (SnapshotField)field, source.Get(slot, (SnapshotField)field));
        }
    }

    private struct SentSnapshot
    {
        public uint Tick;
        public uint BaselineTick;
        public bool Complete;
        public SlotBits Included;
    }

    /// <summary>One bit per slot, for rooms of up to 256.</summary>
    [InlineArray(4)]
    private struct SlotBits
    {
        private ulong _word;
    }
}
