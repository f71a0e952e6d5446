using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Shards;

namespace Engine.Server.Snapshots;

/// <summary>
/// Each snapshot tick of a room: the frame of the tick, then for every player and spectator a delta
/// against the view it acknowledged, within its packet budget. Clients with identical views share
/// one encoding; the others are encoded alone, by priority when the room does not fit. Owns the
/// scratch buffers of one shard; sends through <typeparamref name="TOutput"/>.
/// </summary>
internal sealed class SnapshotService<TOutput>
    where TOutput : struct, ISessionOutput
{
    private readonly TOutput _output;
    private readonly int _tickRate;
    private readonly ShardCounters _counters;
    private readonly ShardHistograms _histograms;
    private readonly byte[] _message = new byte[ProtocolConstants.MaxDatagram];
    private readonly SharedEncodings _shared = new();
    private ushort[] _order = new ushort[64];
    private ushort[] _included = new ushort[64];

    public SnapshotService(int tickRate, ShardCounters counters, ShardHistograms histograms, TOutput output)
    {
        _tickRate = tickRate;
        _counters = counters;
        _histograms = histograms;
        _output = output;
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
        foreach (var player in slots)
        {
            if (player is not null && !TrySendShared(room, frame, player, room.Inputs.LastApplied(player.Slot), nowUs))
            {
                SendPlayerSnapshot(room, frame, player, nowUs);
            }
        }
        foreach (var spectator in room.Spectators)
        {
            if (!TrySendShared(room, frame, spectator, 0, nowUs))
            {
                SendSpectatorSnapshot(room, frame, spectator, nowUs);
            }
        }
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
        encoded.CopyTo(SnapshotMessage.WritePrefix(_message, lastAppliedInput));
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
        var destination = SnapshotMessage.WritePrefix(_message, room.Inputs.LastApplied(player.Slot));
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
        var destination = SnapshotMessage.WritePrefix(_message, 0);
        var result = room.Encoder.Encode(frame, Predict(room, view, frame.Tick), _order.AsSpan(0, count), _included.AsSpan(0, count),
            destination, Budget(spectator));
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
