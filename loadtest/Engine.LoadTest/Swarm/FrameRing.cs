using Engine.Protocol.Snapshots;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The few snapshot frames one player keeps as baselines. The server encodes each delta against the
/// newest tick this player acknowledged that it has processed, normally one or two snapshots back,
/// so a handful of frames is plenty (the SDK keeps 64; at 10,000 players that would be 1.7 GB).
/// A missing baseline heals itself: the player keeps acknowledging what it holds.
/// </summary>
internal sealed class FrameRing
{
    private readonly SnapshotFrame[] _frames;
    private readonly uint[] _ticks;
    private readonly bool[] _valid;
    private int _pending = -1;

    public FrameRing(int capacity, int depth)
    {
        _frames = new SnapshotFrame[depth];
        _ticks = new uint[depth];
        _valid = new bool[depth];
        for (var i = 0; i < depth; i++)
        {
            _frames[i] = new SnapshotFrame(capacity);
        }
    }

    public int Capacity => _frames[0].Capacity;

    /// <summary>The newest tick decoded; meaningful when <see cref="HasAny"/>.</summary>
    public uint Newest { get; private set; }

    public bool HasAny { get; private set; }

    public SnapshotFrame NewestFrame { get; private set; } = null!;

    public void Clear()
    {
        Array.Clear(_valid);
        HasAny = false;
        Newest = 0;
        _pending = -1;
    }

    public SnapshotFrame? Find(uint tick)
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            if (_valid[i] && _ticks[i] == tick)
            {
                return _frames[i];
            }
        }
        return null;
    }

    /// <summary>A frame to decode into: an empty one, else the oldest that is not <paramref name="keep"/>. Invalid until <see cref="Commit"/>.</summary>
    public SnapshotFrame Acquire(SnapshotFrame? keep)
    {
        var best = -1;
        var bestAge = -1L;
        for (var i = 0; i < _frames.Length; i++)
        {
            if (ReferenceEquals(_frames[i], keep))
            {
                continue;
            }
            var age = _valid[i] ? (long)(int)(Newest - _ticks[i]) : long.MaxValue;
            if (age > bestAge)
            {
                best = i;
                bestAge = age;
            }
        }
        _valid[best] = false;
        _pending = best;
        return _frames[best];
    }

    public void Commit(uint tick)
    {
        _ticks[_pending] = tick;
        _valid[_pending] = true;
        NewestFrame = _frames[_pending];
        Newest = tick;
        HasAny = true;
        _pending = -1;
    }
}
