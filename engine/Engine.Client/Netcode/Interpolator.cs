using Engine.Protocol.Simulation;

namespace Engine.Client.Netcode;

/// <summary>
/// Shows remote entities smoothly from 20 Hz snapshots: keeps each entity's recent states with
/// their server tick and draws them a little in the past (<see cref="DelayUs"/>, 100 ms by default,
/// room for a lost snapshot and jitter), interpolating linearly between the two snapshots around
/// the render time. When snapshots stop coming it extrapolates along the last velocity, for at
/// most <see cref="MaxExtrapolationUs"/>, then holds, rather than fly off. Times are server time
/// in microseconds (tick × 10^6 / tick rate). Allocation-free after construction.
/// </summary>
public sealed class Interpolator
{
    public const int DefaultDelayMs = 100;
    public const int DefaultMaxExtrapolationMs = 250;
    public const int DefaultBufferCapacity = 32;

    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly int _tickRate;
    private readonly int _capacity;
    private readonly long[] _ticks;
    private readonly PlayerState[] _states;
    private readonly int[] _counts;
    private long _newestTick = -1;
    private long _newestArrivalUs;
    private long _lastRenderUs = long.MinValue;

    /// <param name="entities">Entity slots (indices 0..entities-1).</param>
    /// <param name="tickRate">The server's simulation tick rate.</param>
    /// <param name="delayMs">How far behind the newest snapshot to render.</param>
    /// <param name="maxExtrapolationMs">How far past the newest snapshot an entity may be extrapolated.</param>
    /// <param name="bufferCapacity">Snapshots kept per entity.</param>
    /// <param name="stats">Where to count; a new one when null.</param>
    public Interpolator(int entities, int tickRate = 60, int delayMs = DefaultDelayMs, int maxExtrapolationMs = DefaultMaxExtrapolationMs, int bufferCapacity = DefaultBufferCapacity, NetcodeStats? stats = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entities);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickRate);
        ArgumentOutOfRangeException.ThrowIfNegative(delayMs);
        ArgumentOutOfRangeException.ThrowIfNegative(maxExtrapolationMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferCapacity, 2);
        _tickRate = tickRate;
        _capacity = bufferCapacity;
        _ticks = new long[entities * bufferCapacity];
        _states = new PlayerState[entities * bufferCapacity];
        _counts = new int[entities];
        DelayUs = delayMs * 1000L;
        MaxExtrapolationUs = maxExtrapolationMs * 1000L;
        Stats = stats ?? new NetcodeStats();
    }

    public long DelayUs { get; }
    public long MaxExtrapolationUs { get; }
    public int Entities => _counts.Length;
    public NetcodeStats Stats { get; }

    /// <summary>The newest server tick any snapshot has brought; -1 before the first.</summary>
    public long NewestTick => _newestTick;

    public long TickTimeUs(long tick) => tick * MicrosecondsPerSecond / _tickRate;

    /// <summary>Snapshots kept for <paramref name="entity"/>.</summary>
    public int Count(int entity) => _counts[entity];

    /// <summary>Records that a snapshot of <paramref name="serverTick"/> arrived at local time <paramref name="localNowUs"/>, which drives <see cref="RenderTimeUs"/>.</summary>
    public void OnSnapshot(long serverTick, long localNowUs)
    {
        if (serverTick > _newestTick)
        {
            _newestTick = serverTick;
            _newestArrivalUs = localNowUs;
        }
    }

    /// <summary>
    /// The server time to draw remote entities at: the newest snapshot's time, advanced by the local
    /// time since it arrived, minus the delay. Never goes backwards (a late snapshot holds it still).
    /// </summary>
    public long RenderTimeUs(long localNowUs)
    {
        if (_newestTick < 0)
        {
            return 0;
        }
        var render = TickTimeUs(_newestTick) + (localNowUs - _newestArrivalUs) - DelayUs;
        _lastRenderUs = Math.Max(_lastRenderUs, render);
        return _lastRenderUs;
    }

    /// <summary>Adds the state of <paramref name="entity"/> at <paramref name="serverTick"/>; late ones are slotted in order, duplicates ignored.</summary>
    public void Add(int entity, long serverTick, in PlayerState state)
    {
        var ticks = _ticks.AsSpan(entity * _capacity, _capacity);
        var states = _states.AsSpan(entity * _capacity, _capacity);
        ref var count = ref _counts[entity];

        // Kept sorted oldest first; find where this tick goes (almost always at the end).
        var position = count;
        while (position > 0 && ticks[position - 1] >= serverTick)
        {
            if (ticks[position - 1] == serverTick)
            {
                Stats.DuplicateSnapshots++;
                return;
            }
            position--;
        }
        if (position < count)
        {
            Stats.LateSnapshots++;
        }
        if (count == _capacity)
        {
            if (position == 0)
            {
                return; // Older than everything kept in a full buffer: of no use.
            }
            ticks[1..].CopyTo(ticks);
            states[1..].CopyTo(states);
            count--;
            position--;
        }
        ticks[position..count].CopyTo(ticks[(position + 1)..]);
        states[position..count].CopyTo(states[(position + 1)..]);
        ticks[position] = serverTick;
        states[position] = state;
        count++;
    }

    /// <summary>Forgets <paramref name="entity"/> (it left, or its slot was reused).</summary>
    public void Remove(int entity) => _counts[entity] = 0;

    /// <summary>The state of <paramref name="entity"/> at server time <paramref name="renderTimeUs"/> (usually <see cref="RenderTimeUs"/>).</summary>
    public SampleKind Sample(int entity, long renderTimeUs, out PlayerState state)
    {
        var count = _counts[entity];
        if (count == 0)
        {
            state = default;
            return SampleKind.None;
        }
        var ticks = _ticks.AsSpan(entity * _capacity, count);
        var states = _states.AsSpan(entity * _capacity, count);
        if (renderTimeUs < TickTimeUs(ticks[0]))
        {
            state = states[0];
            return SampleKind.Oldest;
        }
        var newestTime = TickTimeUs(ticks[^1]);
        if (renderTimeUs >= newestTime)
        {
            var ahead = renderTimeUs - newestTime;
            state = states[^1];
            if (ahead == 0)
            {
                Stats.InterpolatedSamples++;
                return SampleKind.Interpolated;
            }
            var capped = ahead > MaxExtrapolationUs;
            ahead = Math.Min(ahead, MaxExtrapolationUs);
            state.PositionX = Advance(state.PositionX, state.VelocityX, ahead);
            state.PositionY = Advance(state.PositionY, state.VelocityY, ahead);
            state.PositionZ = Advance(state.PositionZ, state.VelocityZ, ahead);
            if (capped)
            {
                Stats.CappedSamples++;
                return SampleKind.Capped;
            }
            Stats.ExtrapolatedSamples++;
            return SampleKind.Extrapolated;
        }

        // The last snapshot at or before the render time; the next one is after it.
        var i = count - 2;
        while (TickTimeUs(ticks[i]) > renderTimeUs)
        {
            i--;
        }
        var fromTime = TickTimeUs(ticks[i]);
        var elapsed = renderTimeUs - fromTime;
        var span = TickTimeUs(ticks[i + 1]) - fromTime;
        ref readonly var from = ref states[i];
        ref readonly var to = ref states[i + 1];
        state = from;
        state.PositionX = Lerp(from.PositionX, to.PositionX, elapsed, span);
        state.PositionY = Lerp(from.PositionY, to.PositionY, elapsed, span);
        state.PositionZ = Lerp(from.PositionZ, to.PositionZ, elapsed, span);
        state.VelocityX = Lerp(from.VelocityX, to.VelocityX, elapsed, span);
        state.VelocityY = Lerp(from.VelocityY, to.VelocityY, elapsed, span);
        state.VelocityZ = Lerp(from.VelocityZ, to.VelocityZ, elapsed, span);

        // Turn the short way round: 65000 to 500 is +1036, not -64500.
        state.Yaw = (ushort)(from.Yaw + (short)(ushort)(to.Yaw - from.Yaw) * elapsed / span);
        state.Pitch = (short)Lerp(from.Pitch, to.Pitch, elapsed, span);
        Stats.InterpolatedSamples++;
        return SampleKind.Interpolated;
    }

    private static int Lerp(int from, int to, long elapsed, long span) => (int)(from + (to - (long)from) * elapsed / span);

    private static int Advance(int position, int velocity, long elapsedUs) =>
        (int)Math.Clamp(position + velocity * elapsedUs / MicrosecondsPerSecond, int.MinValue, int.MaxValue);
}
