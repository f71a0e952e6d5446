using Engine.Protocol.Simulation;

namespace Engine.Server.Simulation;

/// <summary>
/// Sits between the network and the game mode. Takes the inputs of each message (in any order,
/// duplicated, with gaps), clamps what is out of range, drops what is stale, and each tick hands
/// the mode the next inputs in sequence order. Rate: a player earns one input of credit per tick,
/// banked up to <see cref="MaxBankedTicks"/>, and spends at most <see cref="MaxInputsPerTick"/>
/// of it in one tick. So after inputs arrive late (jitter, a lost packet) the server catches up
/// with the backlog instead of keeping it as added latency, yet over time no player applies more
/// than one input per tick (no speed hack by flooding: the excess is dropped as overflow).
/// A missing sequence is waited for a few ticks (the redundant copies in later messages usually
/// fill it), then skipped. Everything it drops or changes is counted in <see cref="Counters"/>.
/// Remembers per player the last sequence applied, which snapshots report so the client replays
/// only the rest. Allocation-free after construction; owned by one room thread.
/// </summary>
internal sealed class InputValidator
{
    public const int DefaultMaxInputsPerTick = 4;
    public const int DefaultMaxBankedTicks = 16;
    public const int DefaultBufferCapacity = 32;
    public const int DefaultMaxHoleWaitTicks = 6;

    /// <summary>
    /// Inputs that arrive bunched (three in one datagram every third tick) are played one a tick
    /// rather than all at once, so players move evenly, the way the client predicted and the
    /// snapshots extrapolate; only a backlog larger than this is caught up faster.
    /// </summary>
    public const int SmoothingBacklog = 3;

    private readonly int _capacity;
    private readonly int _mask;
    private readonly PlayerInput[] _buffer;
    private readonly uint[] _lastApplied;
    private readonly uint[] _newestBuffered;
    private readonly int[] _credit;
    private readonly int[] _holeWait;
    private readonly bool[] _active;
    private InputCounters _counters;

    /// <param name="players">Player slots (the game mode's capacity).</param>
    /// <param name="maxInputsPerTick">Most inputs applied for one player in one tick.</param>
    /// <param name="bufferCapacity">Inputs buffered per player (a power of two): how far ahead of the last applied one a sequence may be.</param>
    /// <param name="maxHoleWaitTicks">Ticks to wait for a missing sequence before skipping it.</param>
    /// <param name="maxBankedTicks">Unused ticks of credit a player keeps to catch up later (at least <paramref name="maxInputsPerTick"/>).</param>
    public InputValidator(int players, int maxInputsPerTick = DefaultMaxInputsPerTick, int bufferCapacity = DefaultBufferCapacity, int maxHoleWaitTicks = DefaultMaxHoleWaitTicks, int maxBankedTicks = DefaultMaxBankedTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(players);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInputsPerTick);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferCapacity, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(maxHoleWaitTicks);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBankedTicks, maxInputsPerTick);
        if (!int.IsPow2(bufferCapacity))
        {
            throw new ArgumentException("must be a power of two", nameof(bufferCapacity));
        }
        MaxInputsPerTick = maxInputsPerTick;
        MaxHoleWaitTicks = maxHoleWaitTicks;
        MaxBankedTicks = maxBankedTicks;
        _capacity = bufferCapacity;
        _mask = bufferCapacity - 1;
        _buffer = new PlayerInput[players * bufferCapacity];
        _lastApplied = new uint[players];
        _newestBuffered = new uint[players];
        _credit = new int[players];
        _holeWait = new int[players];
        _active = new bool[players];
    }

    public int MaxInputsPerTick { get; }
    public int MaxHoleWaitTicks { get; }
    public int MaxBankedTicks { get; }
    public int Players => _active.Length;

    public ref readonly InputCounters Counters => ref _counters;

    /// <summary>The newest sequence of <paramref name="slot"/> given to the mode (0 before any); snapshots tell the player this.</summary>
    public uint LastApplied(int slot) => _lastApplied[slot];

    public bool IsActive(int slot) => _active[slot];

    /// <summary>Inputs of <paramref name="slot"/> buffered and not yet applied.</summary>
    public int Pending(int slot)
    {
        var count = 0;
        foreach (var input in _buffer.AsSpan(slot * _capacity, _capacity))
        {
            count += input.Sequence != 0 ? 1 : 0;
        }
        return count;
    }

    /// <summary>A player took the slot: its sequences start again from 1.</summary>
    public void Join(int slot)
    {
        Clear(slot);
        _active[slot] = true;
    }

    public void Leave(int slot)
    {
        Clear(slot);
        _active[slot] = false;
    }

    /// <summary>Every slot empty and the counters at zero, as new: the validator of a reopened room.</summary>
    public void Reset()
    {
        for (var slot = 0; slot < Players; slot++)
        {
            Leave(slot);
        }
        _counters = default;
    }

    /// <summary>Takes the inputs of one message (as <see cref="InputMessage.TryRead"/> gives them, newest first).</summary>
    public void Receive(int slot, ReadOnlySpan<PlayerInput> newestFirst)
    {
        if (!_active[slot])
        {
            _counters.NoPlayer++;
            return;
        }
        var ring = _buffer.AsSpan(slot * _capacity, _capacity);
        ref var last = ref _lastApplied[slot];
        ref var newest = ref _newestBuffered[slot];
        _counters.Received += newestFirst.Length;

        // Oldest first, so a flood that forces the window forward keeps the newest inputs.
        for (var i = newestFirst.Length - 1; i >= 0; i--)
        {
            var input = newestFirst[i];
            var sequence = input.Sequence;
            if (sequence == 0)
            {
                _counters.InvalidSequence++;
                continue;
            }
            if (sequence <= last)
            {
                _counters.Duplicates++;
                continue;
            }
            if (sequence - last > (uint)_capacity)
            {
                // Too far ahead to buffer: give up on everything older than the window. The player
                // lost those inputs (or is flooding); either way the next snapshot corrects them.
                var floor = sequence - (uint)_capacity;
                foreach (ref var buffered in ring)
                {
                    if (buffered.Sequence != 0 && buffered.Sequence <= floor)
                    {
                        buffered.Sequence = 0;
                        _counters.Overflow++;
                    }
                }
                _counters.Overflow++;
                last = floor;
                _holeWait[slot] = 0;
            }
            ref var entry = ref ring[(int)(sequence & (uint)_mask)];
            if (entry.Sequence == sequence)
            {
                _counters.Duplicates++;
                continue;
            }
            Sanitize(ref input);
            entry = input;
            _counters.Accepted++;
            if (sequence > newest)
            {
                newest = sequence;
            }
        }
    }

    /// <summary>
    /// Applies the inputs due this tick for every player, in slot order, to <paramref name="mode"/>.
    /// Call once per tick, before <see cref="IGameMode.Tick"/>.
    /// </summary>
    public void ApplyTick<TMode>(TMode mode) where TMode : IGameMode
    {
        for (var slot = 0; slot < _active.Length; slot++)
        {
            if (_active[slot])
            {
                ApplyPlayer(mode, slot);
            }
        }
    }

    private void ApplyPlayer<TMode>(TMode mode, int slot) where TMode : IGameMode
    {
        var ring = _buffer.AsSpan(slot * _capacity, _capacity);
        ref var last = ref _lastApplied[slot];
        ref var credit = ref _credit[slot];
        credit = Math.Min(credit + 1, MaxBankedTicks);
        var backlog = _newestBuffered[slot] - last;
        var budget = Math.Min(credit, backlog > SmoothingBacklog ? MaxInputsPerTick : 1);
        while (true)
        {
            if (_newestBuffered[slot] <= last)
            {
                return; // Nothing buffered: the player waits for input.
            }
            if (budget == 0)
            {
                _counters.RateLimited++;
                return;
            }
            var next = last + 1;
            ref var entry = ref ring[(int)(next & (uint)_mask)];
            if (entry.Sequence == next)
            {
                mode.ApplyInput(slot, entry);
                entry.Sequence = 0;
                last = next;
                credit--;
                budget--;
                _holeWait[slot] = 0;
                _counters.Applied++;
                continue;
            }

            // A hole: later inputs are here but not this one. Its copies ride in the next messages,
            // so wait a little before giving up on it.
            if (_holeWait[slot] < MaxHoleWaitTicks)
            {
                _holeWait[slot]++;
                return;
            }
            var skipTo = OldestBuffered(ring, last);
            _counters.Lost += skipTo - next;
            last = skipTo - 1;
            _holeWait[slot] = 0;
        }
    }

    private static uint OldestBuffered(ReadOnlySpan<PlayerInput> ring, uint last)
    {
        var oldest = uint.MaxValue;
        foreach (ref readonly var input in ring)
        {
            if (input.Sequence > last && input.Sequence < oldest)
            {
                oldest = input.Sequence;
            }
        }
        return oldest;
    }

    private void Sanitize(ref PlayerInput input)
    {
        if (input.Forward < -PlayerInput.AxisMax)
        {
            input.Forward = -PlayerInput.AxisMax;
            _counters.AxisClamped++;
        }
        if (input.Right < -PlayerInput.AxisMax)
        {
            input.Right = -PlayerInput.AxisMax;
            _counters.AxisClamped++;
        }
        if (input.Pitch is < -PlayerInput.QuarterTurn or > PlayerInput.QuarterTurn)
        {
            input.Pitch = (short)Math.Clamp((int)input.Pitch, -PlayerInput.QuarterTurn, PlayerInput.QuarterTurn);
            _counters.PitchClamped++;
        }
        if ((input.Buttons & ~InputButtons.All) != 0)
        {
            input.Buttons &= InputButtons.All;
            _counters.ButtonsCleared++;
        }
    }

    private void Clear(int slot)
    {
        _buffer.AsSpan(slot * _capacity, _capacity).Clear();
        _lastApplied[slot] = 0;
        _newestBuffered[slot] = 0;
        _credit[slot] = MaxInputsPerTick;
        _holeWait[slot] = 0;
    }
}
