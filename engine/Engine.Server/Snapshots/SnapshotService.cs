using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Overload;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;

namespace Engine.Server.Snapshots;

/// <summary>
/// Each snapshot tick of a room: the frame of the tick, then for every player and spectator a delta
/// against the view it acknowledged, within its packet budget. Clients with identical views share
/// one encoding; the others are encoded alone, by priority when the room does not fit. Owns the
/// scratch buffers of one shard; sends through <typeparamref name="TOutput"/>.
/// <para>
/// Over its tick budget (<see cref="BeginTick"/>) the shard's cost per player must not grow as
/// clients fall behind, so: clients whose view lags more than a quarter of a second get every
/// second snapshot (every fourth when far over, when the clients keeping up get every second one
/// too), staggered by slot so they are not all skipped on the same tick; and at most <see cref="OverBudgetPlayerEncodes"/> deltas per tick are encoded
/// for one client alone (a quarter when far over). A client past that allowance is sent back to
/// the room's keyframe, which every client without a view shares, and waits for the next tick.
/// </para>
/// </summary>
internal sealed class SnapshotService<TOutput>
    where TOutput : struct, ISessionOutput
{
    /// <summary>Deltas for one client alone per tick of a shard over budget (a quarter of it far over).</summary>
    public const int OverBudgetPlayerEncodes = 24;

    private readonly TOutput _output;
    private readonly int _tickRate;
    private readonly uint _laggingTicks;
    private readonly ShardCounters _counters;
    private readonly ShardHistograms _histograms;
    private readonly byte[] _message = new byte[ProtocolConstants.MaxDatagram];
    private readonly SharedEncodings _shared = new();
    private ushort[] _order = new ushort[64];
    private ushort[] _included = new ushort[64];
    private OverloadLevel _level;
    private int _playerEncodesLeft = int.MaxValue;

    public SnapshotService(int tickRate, int snapshotRate, ShardCounters counters, ShardHistograms histograms, TOutput output)
    {
        _tickRate = tickRate;
        TicksPerSnapshot = (uint)Math.Max(1, tickRate / Math.Max(1, snapshotRate));
        _laggingTicks = (uint)Math.Max(1, tickRate / 4);
        _counters = counters;
        _histograms = histograms;
        _output = output;
    }

    /// <summary>Simulation ticks between two snapshots of a room.</summary>
    public uint TicksPerSnapshot { get; }

    /// <summary>Starts a tick of the shard at its overload level (the allowance of lone encodes is per tick, over all rooms).</summary>
    public void BeginTick(OverloadLevel level)
    {
        _level = level;
        _playerEncodesLeft = level switch
        {
            OverloadLevel.Normal => int.MaxValue,
            OverloadLevel.OverBudget => OverBudgetPlayerEncodes,
            _ => OverBudgetPlayerEncodes / 4,
        };
    }

    /// <summary>Records the room's frame of <paramref name="tick"/> and sends everyone in the room their snapshot.</summary>
    public void Send(Room room, uint tick, long nowUs)
    {
        if (!room.HasAudience)
        {
            return;
        }
        var frame = room.History.Push(tick);
        var states = room.Mode.PlayerStates;
        var slots = room.Slots;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            var player = slots[slot];
            if (player is null)
            {
                frame.Remove(slot); // frames start as a copy of the previous one
                continue;
            }
            ArenaSnapshot.Write(frame, slot, states[slot], player.PlayerId);
        }
        EnsureOrderCapacity(slots.Length);
        _shared.Clear();
        // Over budget the players take turns at the tick's allowance of lone encodes: the room starts
        // where the allowance ran out last time.
        var start = _level == OverloadLevel.Normal ? 0 : room.SnapshotStartSlot % slots.Length;
        room.SnapshotStartSlot = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = (start + i) % slots.Length;
            var player = slots[slot];
            if (player is null || Defers(player, tick))
            {
                continue;
            }
            if (!TrySendShared(room, frame, player, room.Inputs.LastApplied(player.Slot), nowUs))
            {
                if (TakeLoneEncode(player))
                {
                    SendPlayerSnapshot(room, frame, player, nowUs);
                }
                else if (room.SnapshotStartSlot == 0)
                {
                    room.SnapshotStartSlot = slot;
                }
            }
        }
        foreach (var spectator in room.Spectators)
        {
            if (Defers(spectator, tick))
            {
                continue;
            }
            if (!TrySendShared(room, frame, spectator, 0, nowUs) && TakeLoneEncode(spectator))
            {
                SendSpectatorSnapshot(room, frame, spectator, nowUs);
            }
        }
    }

    /// <summary>
    /// Over budget, a client whose view lags more than a quarter of a second gets every second
    /// snapshot; far over, every fourth, and the clients keeping up every second. Which ticks
    /// depends on the client's slot, so a room's clients are spread over the ticks.
    /// </summary>
    private bool Defers(Session session, uint tick)
    {
        if (_level == OverloadLevel.Normal)
        {
            return false;
        }
        var view = session.View!;
        if (view.Tick == 0)
        {
            return false; // waiting for the keyframe
        }
        var lagging = tick - view.Tick > _laggingTicks;
        if (!lagging && _level != OverloadLevel.FarOver)
        {
            return false; // keeping up: every snapshot, until the shard is far over
        }
        var every = _level == OverloadLevel.FarOver ? (lagging ? 4u : 2u) : 2u;
        if ((tick / TicksPerSnapshot + session.Slot) % every == 0)
        {
            return false;
        }
        _counters.SnapshotsDeferred++;
        return true;
    }

    /// <summary>Takes one encode for a client alone from the tick's allowance; past it, the client goes back to the room's shared keyframe from the next tick.</summary>
    private bool TakeLoneEncode(Session session)
    {
        if (_playerEncodesLeft > 0)
        {
            _playerEncodesLeft--;
            return true;
        }
        if (session.View!.Tick != 0)
        {
            session.View.Reset();
            _counters.ViewsReset++;
        }
        _counters.SnapshotsDeferred++;
        return false;
    }

    /// <summary>
    /// Clients whose view is the server's frame of the same tick hold identical state, so one
    /// encoding (all slots, in slot order) serves them all when it fits the budget: in a steady
    /// room most players acknowledge the same few ticks, and the room encodes a handful of times
    /// instead of once per player. Only the input prefix differs. False: encode for this client alone.
    /// </summary>
    private bool TrySendShared(Room room, SnapshotFrame frame, Session session, uint lastAppliedInput, long nowUs)
    {
        var view = session.View!;
        _ = view.Baseline(room.History); // a view whose frame left the history starts over here, before its tick keys the cache
        if (!(view.IsServerFrame || view.Tick == 0))
        {
            return false;
        }
        var budget = Budget(session);
        var index = _shared.Find(view.Tick, budget);
        if (index < 0)
        {
            var destination = _shared.Reserve();
            if (destination.IsEmpty)
            {
                return false;
            }
            var result = room.Encoder.Encode(frame, Predict(room, view, frame.Tick), destination, budget);
            index = _shared.Add(view.Tick, budget, result.BytesWritten, result.Complete);
            _counters.SharedEncodings++;
        }
        if (!_shared.IsComplete(index))
        {
            return false;
        }
        var encoded = _shared.Bytes(index);
        encoded.CopyTo(SnapshotMessage.WritePrefix(_message, lastAppliedInput, session.RoomEpoch));
        view.RecordSent(frame.Tick, default, complete: true);
        Send(session, SnapshotMessage.Length(encoded.Length), nowUs);
        return true;
    }

    /// <summary>
    /// One player's delta. Everyone present is tried first, the player's own slot leading; when that
    /// does not fit the budget, the others go in order of accumulated priority (near players gain
    /// faster), and those sent start accumulating again from zero.
    /// </summary>
    private void SendPlayerSnapshot(Room room, SnapshotFrame frame, Session player, long nowUs)
    {
        var view = player.View!;
        var baseline = Predict(room, view, frame.Tick);
        var budget = Budget(player);
        var count = 0;
        _order[count++] = player.Slot;
        for (var slot = 0; slot < room.Capacity; slot++)
        {
            if (slot != player.Slot && (frame.IsPresent(slot) || (baseline?.IsPresent(slot) ?? false)))
            {
                _order[count++] = (ushort)slot;
            }
        }
        var destination = SnapshotMessage.WritePrefix(_message, room.Inputs.LastApplied(player.Slot), player.RoomEpoch);
        var result = room.Encoder.Encode(frame, baseline, _order.AsSpan(0, count), _included.AsSpan(0, count), destination, budget);
        if (!result.Complete)
        {
            OrderByPriority(room, player, _order.AsSpan(1, count - 1));
            result = room.Encoder.Encode(frame, baseline, _order.AsSpan(0, count), _included.AsSpan(0, count), destination, budget);
            foreach (var slot in _included.AsSpan(0, result.Included))
            {
                player.Priority[slot] = 0;
            }
            _counters.PartialSnapshots++;
        }
        _counters.PlayerEncodings++;
        view.RecordSent(frame.Tick, _included.AsSpan(0, result.Included), result.Complete);
        Send(player, SnapshotMessage.Length(result.BytesWritten), nowUs);
    }

    /// <summary>Sorts <paramref name="others"/> by the priority each has accumulated for this player, interest-weighted, highest first.</summary>
    internal static void OrderByPriority(Room room, Session player, Span<ushort> others)
    {
        if (player.Priority.Length < room.Capacity)
        {
            player.Priority = new float[room.Capacity];
        }
        var states = room.Mode.PlayerStates;
        var own = states[player.Slot];
        foreach (var slot in others)
        {
            player.Priority[slot] += InterestGrid.Weight(own, states[slot]);
        }
        // Insertion sort: rooms are small and this runs only for crowded snapshots.
        for (var i = 1; i < others.Length; i++)
        {
            var slot = others[i];
            var j = i - 1;
            while (j >= 0 && player.Priority[others[j]] < player.Priority[slot])
            {
                others[j + 1] = others[j];
                j--;
            }
            others[j + 1] = slot;
        }
    }

    /// <summary>A spectator whose view is its own (a partial snapshot reached it): the whole room, encoded for it alone.</summary>
    private void SendSpectatorSnapshot(Room room, SnapshotFrame frame, Session spectator, long nowUs)
    {
        var view = spectator.View!;
        var baseline = view.Baseline(room.History);
        var count = 0;
        for (var slot = 0; slot < room.Capacity; slot++)
        {
            if (frame.IsPresent(slot) || (baseline?.IsPresent(slot) ?? false))
            {
                _order[count++] = (ushort)slot;
            }
        }
        var destination = SnapshotMessage.WritePrefix(_message, 0, spectator.RoomEpoch);
        var result = room.Encoder.Encode(frame, Predict(room, view, frame.Tick), _order.AsSpan(0, count), _included.AsSpan(0, count),
            destination, Budget(spectator));
        _counters.SpectatorEncodings++;
        view.RecordSent(frame.Tick, _included.AsSpan(0, result.Included), result.Complete);
        Send(spectator, SnapshotMessage.Length(result.BytesWritten), nowUs);
    }

    /// <summary>The client's view extrapolated to this tick (the client computes the same), or null for a full state.</summary>
    private SnapshotFrame? Predict(Room room, SnapshotView view, uint tick)
    {
        if (view.Baseline(room.History) is not { } baseline)
        {
            return null;
        }
        SnapshotPrediction.Extrapolate(baseline, tick - view.Tick, _tickRate, room.Predicted);
        return room.Predicted;
    }

    private static int Budget(Session session) => SnapshotMessage.SnapshotBudget(session.Connection.MaxMessageSize);

    private void Send(Session session, int length, long nowUs)
    {
        var message = _message.AsSpan(0, length);
        _output.SendSnapshot(session, message, nowUs);
        _counters.SnapshotsSent++;
        _counters.SnapshotBytes += length;
        _histograms.SnapshotBytes.Record(length);
    }

    private void EnsureOrderCapacity(int slots)
    {
        if (_order.Length < slots)
        {
            _order = new ushort[slots];
            _included = new ushort[slots];
        }
    }
}
