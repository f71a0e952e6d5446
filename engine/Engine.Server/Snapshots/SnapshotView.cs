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
/// The own frame is the view's largest part (every field of every slot) and is needed only while
/// the view stands on a partial snapshot: it is borrowed from the room's history
/// (<see cref="SnapshotHistory.RentSpare"/>) when a partial snapshot is acknowledged and given back
/// when a complete one is, so a room's views share the few frames they use at once. The spares
/// stay with the (pooled) room, so the frames stop being allocated once a room has covered its
/// peak, rather than growing one new frame per session for minutes on end. The partial
/// snapshots' slot bits are sized to the room and allocated with the view.
/// </remarks>
internal sealed class SnapshotView
{
    /// <summary>Snapshots whose acknowledgement can still move the view: older frames are of no use to the room.</summary>
    public const int Remembered = 32;

    private readonly SentSnapshot[] _sent = new SentSnapshot[Remembered];
    private readonly int _capacity;

    /// <summary>One bit per slot: whole words for the room's capacity.</summary>
    private readonly int _includedWords;

    /// <summary>The client's frame after a partial snapshot; borrowed from the room's history, null while the view needs none.</summary>
    private SnapshotFrame? _own;

    /// <summary>The slots each partial snapshot brought up to date, <see cref="_includedWords"/> per remembered snapshot.</summary>
    private readonly ulong[] _included;
    private int _next;

    public SnapshotView(int capacity)
    {
        _capacity = capacity;
        _includedWords = (capacity + 63) / 64;
        _included = new ulong[Remembered * _includedWords];
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
            if (_own is not null)
            {
                history.ReturnSpare(_own);
                _own = null;
            }
        }
        else
        {
            var own = _own ??= history.RentSpare();
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

    private Span<ulong> IncludedBits(int index) => _included.AsSpan(index * _includedWords, _includedWords);

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
