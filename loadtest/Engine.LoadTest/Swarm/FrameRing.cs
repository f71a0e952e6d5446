using System.Diagnostics.CodeAnalysis;
using Engine.Client.Netcode;
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
/// The frame store of the player's <see cref="SnapshotApplier{TFrames}"/>, which holds it inline (a
/// struct: one object less per player); baselines are predicted in place in the frame decoded into.
/// </summary>
internal struct FrameRing : ISnapshotFrames
{
    // Snapshots built on an older view before the acknowledgement moves on regardless.
    private const int PatienceSnapshots = 10;

    private readonly SnapshotFrame[] _frames;
    private readonly uint[] _ticks;
    private readonly bool[] _valid;
    private int _pending = -1;
    private int _notTaken;
    private bool _hasAny;
    private uint _newest;
    private uint _previousAck;
    private uint _serverBaseline;

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

    public readonly int Capacity => _frames[0].Capacity;

    /// <summary>The tick this player acknowledges in its inputs; 0 = none yet.</summary>
    public uint AckTick { readonly get; private set; }

    public readonly bool TryGetNewestTick(out uint tick)
    {
        tick = _newest;
        return _hasAny;
    }

    public void Clear()
    {
        Array.Clear(_valid);
        _hasAny = false;
        _newest = 0;
        _pending = -1;
        AckTick = 0;
        _previousAck = 0;
        _serverBaseline = 0;
        _notTaken = 0;
    }

    public readonly bool TryGet(uint tick, [NotNullWhen(true)] out SnapshotFrame? frame)
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            if (_valid[i] && _ticks[i] == tick)
            {
                frame = _frames[i];
                return true;
            }
        }
        frame = null;
        return false;
    }

    /// <summary>A frame to decode into: an empty one, else the oldest that is not <paramref name="baseline"/> nor protected. Invalid until <see cref="Commit"/>.</summary>
    public SnapshotFrame Acquire(SnapshotFrame? baseline)
    {
        var best = -1;
        var bestAge = -1L;
        for (var i = 0; i < _frames.Length; i++)
        {
            if (ReferenceEquals(_frames[i], baseline) || (_valid[i] && IsProtected(_ticks[i])))
            {
                continue;
            }
            var age = _valid[i] ? (long)(int)(_newest - _ticks[i]) : long.MaxValue;
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

    /// <summary>In place: nothing reads the predicted baseline after the decoder, so it needs no frame of its own.</summary>
    public readonly SnapshotFrame PredictionTarget(SnapshotFrame destination) => destination;

    /// <summary>Records a decoded snapshot (built on <paramref name="baselineTick"/>, 0 for a full state) and moves the acknowledgement when it is safe.</summary>
    public SnapshotFrame Commit(uint tick, uint baselineTick)
    {
        var frame = _frames[_pending];
        _ticks[_pending] = tick;
        _valid[_pending] = true;
        _newest = tick;
        _hasAny = true;
        _pending = -1;
        _serverBaseline = baselineTick;
        if (AckTick == 0 || baselineTick == 0 || baselineTick == AckTick || ++_notTaken >= PatienceSnapshots)
        {
            if (AckTick != tick)
            {
                _previousAck = AckTick;
                AckTick = tick;
            }
            _notTaken = 0;
        }
        return frame;
    }

    private readonly bool IsProtected(uint tick) => tick != 0 && (tick == AckTick || tick == _previousAck || tick == _serverBaseline);
}
