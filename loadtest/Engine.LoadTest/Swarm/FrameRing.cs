using Engine.Protocol.Snapshots;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// The few snapshot frames one player keeps as baselines, and which tick it acknowledges. The SDK keeps
/// 64 frames (at 10,000 players that would be 1.7 GB); the swarm keeps 5 and instead never lets go of
/// a frame the server may encode against. The server's view of a player moves only to a tick the
/// player acknowledged, and only when that tick's snapshot was built on the view it had; so the
/// player keeps (1) the tick it acknowledges now, (2) the one it acknowledged before, whose late
/// copies may still arrive, and (3) the baseline the server used last, and moves its acknowledgement
/// to the newest tick only once the server has taken the current one (a snapshot arrives built on
/// it) or has visibly stayed on its older view for a while (the newest tick is then built on that
/// view, which the server accepts). Acknowledging the newest tick every time and keeping only the
/// newest few frames deadlocks under load: a delayed acknowledgement moves the server to a frame
/// the player already dropped, and nothing it can acknowledge afterwards is accepted.
/// </summary>
internal sealed class FrameRing
{
    private readonly SnapshotFrame[] _frames;
    private readonly uint[] _ticks;
    private readonly bool[] _valid;
    private int _pending = -1;
    private int _notTaken;

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

    /// <summary>The tick this player acknowledges in its inputs; 0 = none yet.</summary>
    public uint AckTick { get; private set; }

    private uint _previousAck;
    private uint _serverBaseline;

    public SnapshotFrame NewestFrame { get; private set; } = null!;

    public void Clear()
    {
        Array.Clear(_valid);
        HasAny = false;
        Newest = 0;
        _pending = -1;
        AckTick = 0;
        _previousAck = 0;
        _serverBaseline = 0;
        _notTaken = 0;
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
            if (ReferenceEquals(_frames[i], keep) || (_valid[i] && IsProtected(_ticks[i])))
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
        if (best < 0)
        {
            return null!; // cannot happen with depth >= 5: at most 3 frames are protected
        }
        _valid[best] = false;
        _pending = best;
        return _frames[best];
    }

    private bool IsProtected(uint tick) => tick != 0 && (tick == AckTick || tick == _previousAck || tick == _serverBaseline);


    /// <summary>Records a decoded snapshot (built on <paramref name="baselineTick"/>, 0 for a full state) and moves the acknowledgement when it is safe.</summary>
    public void Commit(uint tick, uint baselineTick)
    {
        Commit(tick);
        _serverBaseline = baselineTick;
        const int PatienceSnapshots = 10;
        if (AckTick == 0 || baselineTick == 0 || baselineTick == AckTick || ++_notTaken >= PatienceSnapshots)
        {
            if (AckTick != tick)
            {
                _previousAck = AckTick;
                AckTick = tick;
            }
            _notTaken = 0;
        }
    }

    private void Commit(uint tick)
    {
        _ticks[_pending] = tick;
        _valid[_pending] = true;
        NewestFrame = _frames[_pending];
        Newest = tick;
        HasAny = true;
        _pending = -1;
    }
}
