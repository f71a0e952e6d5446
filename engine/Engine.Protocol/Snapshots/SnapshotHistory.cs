using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// A ring of the most recent snapshot frames, allocated once. The server pushes one frame per
/// snapshot and encodes each player's delta against the frame that player last acknowledged;
/// the client keeps the frames it decoded so the next delta finds its baseline. A tick that
/// has fallen out of the ring is gone, and the sender falls back to a full state.
/// </summary>
public sealed class SnapshotHistory
{
    public const int DefaultDepth = 64;

    private readonly SnapshotFrame[] _frames;

    /// <summary>Frames of this history's capacity lent out and given back (see <see cref="RentSpare"/>).</summary>
    private readonly Stack<SnapshotFrame> _spares = new();
    private int _newest = -1;
    private int _count;

    public SnapshotHistory(int capacity, int depth = DefaultDepth)
    {
        if (depth < 2)
        {
            ThrowDepth(depth);
        }
        _frames = new SnapshotFrame[depth];
        for (var i = 0; i < depth; i++)
        {
            _frames[i] = new SnapshotFrame(capacity);
        }
    }

    public int Depth => _frames.Length;

    /// <summary>
    /// A frame of this history's capacity, contents undefined, for state that follows the history
    /// for a while (a client's own view after a partial snapshot); allocated only when every
    /// spare is out, so it stops allocating once the peak is covered.
    /// </summary>
    public SnapshotFrame RentSpare() => _spares.TryPop(out var frame) ? frame : new SnapshotFrame(_frames[0].Capacity);

    /// <summary>Takes back a frame from <see cref="RentSpare"/> (or of the same capacity); keeps at most one per slot, the rest go to the GC.</summary>
    public void ReturnSpare(SnapshotFrame frame)
    {
        if (frame.Capacity == _frames[0].Capacity && _spares.Count < frame.Capacity)
        {
            _spares.Push(frame);
        }
    }

    public int Count => _count;

    public SnapshotFrame? Latest => _count == 0 ? null : _frames[_newest];

    /// <summary>
    /// Recycles the oldest frame as the frame of <paramref name="tick"/>, starting from a copy of
    /// the latest (entities persist between snapshots, so the caller writes only what moved).
    /// Ticks must increase (serial-number order, so the ring survives the counter wrapping).
    /// </summary>
    public SnapshotFrame Push(uint tick)
    {
        var latest = Latest;
        if (latest is not null && (int)(tick - latest.Tick) <= 0)
        {
            ThrowTickOrder(tick, latest.Tick);
        }
        _newest = _newest + 1 == _frames.Length ? 0 : _newest + 1;
        var frame = _frames[_newest];
        if (latest is null)
        {
            frame.Clear();
        }
        else
        {
            frame.CopyFrom(latest);
        }
        frame.Tick = tick;
        if (_count < _frames.Length)
        {
            _count++;
        }
        return frame;
    }

    /// <summary>The frame of <paramref name="tick"/> if the ring still holds it.</summary>
    public bool TryGet(uint tick, [NotNullWhen(true)] out SnapshotFrame? frame)
    {
        var index = _newest;
        for (var i = 0; i < _count; i++)
        {
            var candidate = _frames[index];
            if (candidate.Tick == tick)
            {
                frame = candidate;
                return true;
            }
            index = index == 0 ? _frames.Length - 1 : index - 1;
        }
        frame = null;
        return false;
    }

    public void Clear()
    {
        _newest = -1;
        _count = 0;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDepth(int depth) => throw new ArgumentOutOfRangeException(nameof(depth), depth, "A history holds at least two frames.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTickOrder(uint tick, uint latest) =>
        throw new ArgumentOutOfRangeException(nameof(tick), tick, $"Snapshot ticks must increase; the latest is {latest}.");
}
