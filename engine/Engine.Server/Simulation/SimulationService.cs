using Engine.Protocol;
using Engine.Protocol.Simulation;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;
using Engine.Server.Snapshots;

namespace Engine.Server.Simulation;

/// <summary>
/// The fixed-tick simulation of one shard's rooms: players' inputs (and snapshot acknowledgements)
/// in, each due tick applied to every room's game mode, and on snapshot ticks the snapshots out
/// through <see cref="SnapshotService{TOutput}"/>. Time comes in; nothing here reads a clock.
/// </summary>
internal sealed class SimulationService<TOutput>
    where TOutput : struct, ISessionOutput
{
    private readonly ServerOptions _options;
    private readonly ShardCounters _counters;
    private readonly SnapshotService<TOutput> _snapshots;
    private readonly PlayerInput[] _inputs = new PlayerInput[InputMessage.MaxInputs];
    private FixedTickClock? _clock;

    public SimulationService(ServerOptions options, ShardCounters counters, ShardHistograms histograms, TOutput output)
    {
        _options = options;
        _counters = counters;
        _snapshots = new SnapshotService<TOutput>(options.TickRate, options.SnapshotRate, counters, histograms, output);
    }

    /// <summary>When the next tick is due; meaningful once <see cref="DueTicks"/> has run.</summary>
    public long NextTickDueUs => _clock?.NextTickDueUs ?? long.MaxValue;

    /// <summary>An input message (or a spectator's bare acknowledgement) from a session.</summary>
    public void Receive(Session session, MessageKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind != MessageKind.Input)
        {
            _counters.Drop(DropReason.UnexpectedPacket);
            return;
        }
        var reason = InputMessage.TryReadFramed(payload, out var ack, out var inputs);
        if (reason != DropReason.None)
        {
            _counters.Drop(reason);
            return;
        }
        var room = session.Room;
        if (room is null)
        {
            _counters.InputsOutsideRoom++;
            return;
        }
        if (ack != 0)
        {
            session.View?.Acknowledge(ack, room.History, _options.TickRate);
        }
        if (inputs.IsEmpty)
        {
            return;
        }
        if (session.IsSpectator)
        {
            // Spectators watch; they do not act.
            _counters.SpectatorInputs++;
            return;
        }
        reason = InputMessage.TryRead(inputs, _inputs, out var count);
        if (reason != DropReason.None)
        {
            _counters.Drop(reason);
            return;
        }
        room.Inputs.Receive(session.Slot, _inputs.AsSpan(0, count));
    }

    /// <summary>How many ticks are due at <paramref name="nowUs"/>, the first of them in <paramref name="firstTick"/>.</summary>
    public int DueTicks(long nowUs, out long firstTick)
    {
        _clock ??= new FixedTickClock(nowUs, _options.TickRate, _options.SnapshotRate);
        return _clock.Advance(nowUs, out firstTick);
    }

    /// <summary>
    /// Steps every room one tick: inputs applied, the game mode ticked, and the rooms whose snapshot
    /// is due send it at the shard's overload level. Each room's snapshots are due on ticks of its
    /// own phase (its id modulo the ticks between snapshots), so a shard's rooms spread their
    /// snapshots over the ticks instead of all encoding on the same one. Rooms take turns at going
    /// first, so that when the tick's allowance of lone encodes runs out, it is not always the same
    /// rooms that wait.
    /// </summary>
    public void RunTick(ReadOnlySpan<Room> rooms, long tick, OverloadLevel level, long nowUs)
    {
        _snapshots.BeginTick(level);
        var first = rooms.Length == 0 ? 0 : (int)(tick % rooms.Length);
        for (var i = 0; i < rooms.Length; i++)
        {
            var room = rooms[(first + i) % rooms.Length];
            room.Inputs.ApplyTick(room.Mode);
            room.Mode.Tick(tick);
            if (_clock!.IsSnapshotTick(tick + (room.Id % _snapshots.TicksPerSnapshot)))
            {
                _snapshots.Send(room, (uint)tick, nowUs);
            }
        }
    }
}
