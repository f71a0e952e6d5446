using Engine.Protocol.Snapshots;

namespace Engine.Server.Snapshots;

/// <summary>
/// What one client holds of the room's world: the frame it decoded for the newest snapshot it
/// acknowledged, rebuilt on the server exactly as the client built it. Deltas are encoded against
/// this view (extrapolated, see <see cref="SnapshotPrediction"/>), never against the server's own
/// frame, because a partial snapshot (over the byte budget) leaves some entities where the
/// client's extrapolation put them. While every snapshot the client acknowledged was complete, its
/// view is the room's own frame of that tick, read from the room's history rather than copied;
/// after a partial snapshot it is the view's own frame.
/// </summary>
/// <remarks>
/// The own frame and the partial snapshots' slot bits are allocated with the view, not with the
/// first partial snapshot: in a busy room nearly every client gets one sooner or later (a full
/// state of a crowded room is over the budget), and the pooled session keeps the view for its
/// next player. Allocated lazily, they arrived one session at a time for minutes on end, each
/// surviving into the old generations, and the heap grew with them long after the sessions had
/// peaked; allocated here, a session's memory is fixed from its first room on, and a snapshot
/// never allocates on the shard.
/// </remarks>
internal sealed class SnapshotView
{
    /// <summary>Snapshots whose acknowledgement can still move the view: older frames are of no use to the room.</summary>
    public const int Remembered = 32;

    /// <summary>One bit per slot, rooms of up to 256.</summary>
    private const int IncludedWords = 4;

    private readonly SentSnapshot[] _sent = new SentSnapshot[Remembered];
    private readonly int _capacity;

    /// <summary>The client's frame after a partial snapshot; meaningless while <see cref="IsServerFrame"/>.</summary>
    private readonly SnapshotFrame _own;

    /// <summary>The slots each partial snapshot brought up to date, <see cref="IncludedWords"/> per remembered snapshot.</summary>
    private readonly ulong[] _included = new ulong[Remembered * IncludedWords];
    private int _next;

    public SnapshotView(int capacity)
    {
        _capacity = capacity;
        _own = new SnapshotFrame(capacity);
    }

    public int Capacity => _capacity;

    /// <summary>The tick of the view; 0 when the client holds nothing yet (the next snapshot is a full state).</summary>
    public uint Tick { get; private set; }

    /// <summary>The view equals the server's frame of its tick (every snapshot it came from was complete): views with this flag and the same tick are identical.</summary>
    public bool IsServerFrame { get; private set; }

    /// <summary>
    /// The client's frame, or null when it holds none the server can still name: then the next
    /// snapshot is a full state. A view on the room's frame of a tick that has left the history
    /// (the client stopped acknowledging for longer than the history reaches) starts over here.
    /// </summary>
    public SnapshotFrame? Baseline(SnapshotHistory history)
    {
        if (Tick == 0)
        {
            return null;
        }
        if (!IsServerFrame)
        {
            return _own;
        }
        if (history.TryGet(Tick, out var frame))
        {
            return frame;
        }
        Reset();
        return null;
    }

    public void Reset()
    {
        Tick = 0;
        IsServerFrame = false;
        Array.Clear(_sent);
    }

    /// <summary>Remembers what went out at a tick: the view it was a delta against and the slots it brought up to date.</summary>
    public void RecordSent(uint tick, ReadOnlySpan<ushort> included, bool complete)
    {
        ref var sent = ref _sent[_next];
        sent.Tick = tick;
        sent.BaselineTick = Tick;
        sent.Complete = complete;
        if (!complete)
        {
            var bits = IncludedBits(_next);
            bits.Clear();
            foreach (var slot in included)
            {
                bits[slot >> 6] |= 1UL << slot;
            }
        }
        _next = (_next + 1) % Remembered;
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
            IsServerFrame = true;
        }
        else
        {
            var own = _own;
            if (sent.BaselineTick == 0)
            {
                own.Clear();
            }
            else if (Baseline(history) is { } previous)
            {
                // Slots a partial snapshot left out stay where the client extrapolated them.
                SnapshotPrediction.Extrapolate(previous, tick - sent.BaselineTick, tickRate, own);
            }
            else
            {
                return false; // the view it was built on is gone: the view started over
            }
            var bits = IncludedBits(index);
            for (var slot = 0; slot < frame.Capacity; slot++)
            {
                if ((bits[slot >> 6] & (1UL << slot)) != 0)
                {
                    CopySlot(frame, own, slot);
                }
            }
            own.Tick = tick;
            IsServerFrame = false;
        }
        Tick = tick;
        return true;
    }

    private Span<ulong> IncludedBits(int index) => _included.AsSpan(index * IncludedWords, IncludedWords);

    private static void CopySlot(SnapshotFrame source, SnapshotFrame destination, int slot)
    {
        if (!source.IsPresent(slot))
        {
            destination.Remove(slot);
            return;
        }
        destination.Add(slot);
        for (var field = 0; field < SnapshotSchema.FieldCount; field++)
        {
            destination.Set(slot, (SnapshotField)field, source.Get(slot, (SnapshotField)field));
        }
    }

    private struct SentSnapshot
    {
        public uint Tick;
        public uint BaselineTick;
        public bool Complete;
    }
}
