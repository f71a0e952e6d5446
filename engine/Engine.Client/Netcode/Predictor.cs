using Engine.Protocol.Simulation;

namespace Engine.Client.Netcode;

/// <summary>
/// Client-side prediction of the local player. Each input is stamped with the next sequence and
/// applied at once with <see cref="Movement.Step"/>, the same rule the server runs, and kept in a
/// ring with the state it produced until the server acknowledges it. A snapshot brings the
/// authoritative state after the server's last applied input N: when it equals what was
/// predicted for N nothing happens (the usual case); otherwise the predictor rewinds to it and
/// replays the inputs after N. Allocation-free after construction.
/// </summary>
public sealed class Predictor
{
    public const int DefaultCapacity = 256;

    private readonly ArenaSettings _settings;
    private readonly PlayerInput[] _inputs;
    private readonly PlayerState[] _predicted;
    private readonly int _mask;
    private readonly int _toleranceMm;
    private PlayerState _state;
    private PlayerState _acknowledgedState;
    private uint _sequence;
    private uint _acknowledged;

    /// <summary>The first sequence since the last reset: the server had applied the ones before.</summary>
    private uint _first = 1;

    /// <param name="settings">The arena rules; must equal the server's.</param>
    /// <param name="initial">Where the player starts (its spawn, or the first authoritative state).</param>
    /// <param name="capacity">Unacknowledged inputs kept for replay, a power of two; 256 is over four seconds at 60 Hz.</param>
    /// <param name="toleranceMm">
    /// Differences in position (mm) and velocity (mm/s) up to this are not mispredictions. 0 needs
    /// exact states; use half the snapshot's quantum when snapshots carry coarser units than mm.
    /// </param>
    /// <param name="stats">Where to count; a new one when null.</param>
    public Predictor(in ArenaSettings settings, in PlayerState initial, int capacity = DefaultCapacity, int toleranceMm = 0, NetcodeStats? stats = null)
    {
        settings.EnsureValid();
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(toleranceMm);
        if (!int.IsPow2(capacity))
        {
            throw new ArgumentException("must be a power of two", nameof(capacity));
        }
        _settings = settings;
        _inputs = new PlayerInput[capacity];
        _predicted = new PlayerState[capacity];
        _mask = capacity - 1;
        _toleranceMm = toleranceMm;
        Stats = stats ?? new NetcodeStats();
        Reset(initial);
    }

    /// <summary>The predicted state after every input applied so far: draw the local player here.</summary>
    public ref readonly PlayerState State => ref _state;

    /// <summary>The sequence of the newest input applied (0 before any).</summary>
    public uint LastSequence => _sequence;

    /// <summary>The newest input the server has said it applied.</summary>
    public uint LastAcknowledged => _acknowledged;

    /// <summary>Inputs applied locally that the server has not acknowledged yet.</summary>
    public int Unacknowledged => (int)(_sequence - _acknowledged);

    public int Capacity => _inputs.Length;

    public NetcodeStats Stats { get; }

    /// <summary>
    /// Starts again from <paramref name="state"/>, the server's state after it applied input
    /// <paramref name="lastApplied"/> (0 after joining a room: sequences restart there); the next
    /// input is <paramref name="lastApplied"/> + 1.
    /// </summary>
    public void Reset(in PlayerState state, uint lastApplied = 0)
    {
        _state = state;
        _acknowledgedState = state;
        _sequence = lastApplied;
        _acknowledged = lastApplied;
        _first = lastApplied + 1;
        Array.Clear(_inputs);
        Array.Clear(_predicted);
    }

    /// <summary>
    /// Applies one tick of input now and returns it stamped with its sequence (the caller's
    /// <see cref="PlayerInput.Sequence"/> is ignored). Send it with <see cref="CopyRecent"/>.
    /// </summary>
    public PlayerInput Apply(PlayerInput input)
    {
        input.Sequence = ++_sequence;
        Movement.Step(ref _state, input, _settings);
        var index = (int)(_sequence & (uint)_mask);
        _inputs[index] = input;
        _predicted[index] = _state;
        return input;
    }

    /// <summary>
    /// Copies the newest inputs, newest first, into <paramref name="newestFirst"/> (as many as fit,
    /// are kept, and exist), ready for <see cref="InputMessage.Write"/>; returns how many.
    /// </summary>
    public int CopyRecent(Span<PlayerInput> newestFirst)
    {
        var count = (int)Math.Min((uint)Math.Min(newestFirst.Length, _inputs.Length), _sequence - _first + 1);
        for (var i = 0; i < count; i++)
        {
            newestFirst[i] = _inputs[(int)((_sequence - (uint)i) & (uint)_mask)];
        }
        return count;
    }

    /// <summary>
    /// Takes the server's state of this player after it applied inputs up to
    /// <paramref name="lastAppliedSequence"/>. Returns true when the predicted state changed.
    /// </summary>
    public bool Reconcile(in PlayerState authoritative, uint lastAppliedSequence)
    {
        if (lastAppliedSequence > _sequence)
        {
            Stats.InvalidAcks++;
            return false;
        }
        if (lastAppliedSequence < _acknowledged)
        {
            Stats.StaleAcks++;
            return false;
        }

        // What we predicted for that same input, when we still have it.
        var oldest = OldestKept;
        var known = lastAppliedSequence == _acknowledged || lastAppliedSequence >= oldest;
        var predicted = lastAppliedSequence == _acknowledged ? _acknowledgedState : _predicted[(int)(lastAppliedSequence & (uint)_mask)];
        _acknowledged = lastAppliedSequence;
        if (known && Matches(authoritative, predicted))
        {
            // Keep our own exact state as the base: snapshots may carry it coarser.
            _acknowledgedState = predicted;
            return false;
        }

        Stats.Mispredictions++;
        var first = Math.Max(lastAppliedSequence + 1, oldest);
        if (first > lastAppliedSequence + 1)
        {
            Stats.RingOverruns++;
        }
        _acknowledgedState = authoritative;
        var state = authoritative;
        for (var sequence = first; sequence <= _sequence && sequence != 0; sequence++)
        {
            var index = (int)(sequence & (uint)_mask);
            Movement.Step(ref state, _inputs[index], _settings);
            _predicted[index] = state;
            Stats.InputsReplayed++;
        }
        var changed = state != _state;
        if (changed)
        {
            Stats.AddCorrection(FixedMath.Distance(_state, state));
        }
        _state = state;
        return changed;
    }

    /// <summary>The oldest sequence whose input and prediction are still in the ring.</summary>
    private uint OldestKept => _sequence - _first + 1 >= (uint)_inputs.Length ? _sequence - (uint)_inputs.Length + 1 : _first;

    private bool Matches(in PlayerState authoritative, in PlayerState predicted)
    {
        if (_toleranceMm == 0)
        {
            return authoritative == predicted;
        }
        return authoritative.Yaw == predicted.Yaw
            && authoritative.Pitch == predicted.Pitch
            && authoritative.Flags == predicted.Flags
            && Math.Abs((long)authoritative.VelocityX - predicted.VelocityX) <= _toleranceMm
            && Math.Abs((long)authoritative.VelocityY - predicted.VelocityY) <= _toleranceMm
            && Math.Abs((long)authoritative.VelocityZ - predicted.VelocityZ) <= _toleranceMm
            && FixedMath.Distance(authoritative, predicted) <= (uint)_toleranceMm;
    }
}
