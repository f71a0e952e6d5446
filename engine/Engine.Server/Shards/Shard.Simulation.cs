using System.Buffers.Binary;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;
using Engine.Server.Diagnostics;
using Engine.Server.Rooms;
using Engine.Server.Sessions;
using Engine.Server.Simulation;

namespace Engine.Server.Shards;

/// <summary>
/// The simulation: every room of the shard steps at the fixed tick, then on snapshot ticks each
/// player gets a delta against the frame they last acknowledged, within the packet budget.
/// </summary>
internal sealed partial class Shard
{
    // Snapshot message: last applied input sequence (u32) then the snapshot payload.
    private const int SnapshotPrefix = 4;

    private readonly PlayerInput[] _inputScratch = new PlayerInput[InputMessage.MaxInputs];
    private readonly byte[] _snapshotScratch = new byte[Protocol.Wire.ProtocolConstants.MaxDatagram];
    private readonly SharedEncodings _shared = new();
    private ushort[] _order = new ushort[64];
    private ushort[] _included = new ushort[64];
    private FixedTickClock? _tickClock;


    /// <summary>An input message (or a spectator's bare acknowledgement) from a session.</summary>
    private void HandleGameMessage(Session session, MessageKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind != MessageKind.Input)
        {
            Counters.Drop(DropReason.UnexpectedPacket);
            return;
        }
        // [snapshot ack tick: varint][input message, may be empty for spectators]
        if (!Varint.TryRead(payload, out var ack, out var ackLength))
        {
            Counters.Drop(DropReason.MalformedMessage);
            return;
        }
        var room = session.Room;
        if (room is null)
        {
            Counters.InputsOutsideRoom++;
            return;
        }
        if (ack != 0)
        {
            session.View?.Acknowledge(ack, room.History, _options.TickRate);
        }
        var inputs = payload.Slice(ackLength);
        if (inputs.IsEmpty)
        {
            return;
        }
        if (session.IsSpectator)
        {
            // Spectators watch; they do not act.
            Counters.SpectatorInputs++;
            return;
        }
        var reason = InputMessage.TryRead(inputs, _inputScratch, out var count);
        if (reason != DropReason.None)
        {
            Counters.Drop(reason);
            return;
        }
        room.Inputs.Receive(session.Slot, _inputScratch.AsSpan(0, count));
    }

    /// <summary>Runs the ticks that are due in every room; returns when the next one is due.</summary>
    private long RunTicks(long now)
    {
        _tickClock ??= new FixedTickClock(now, _options.TickRate, _options.SnapshotRate);
        var ticks = _tickClock.Advance(now, out var first);
        if (ticks > 0 && _rooms.Count > 0)
        {
            // Each tick is timed on its own: after a stall the loop catches up several at once,
            // and their sum is not the cost of a tick.
            for (var tick = first; tick < first + ticks; tick++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var startedCpu = Engine.Transport.ThreadCpuClock.NowUs();
                var snapshot = _tickClock.IsSnapshotTick(tick);
                foreach (var room in _rooms)
                {
                    room.Inputs.ApplyTick(room.Mode);
                    room.Mode.Tick(tick);
                    if (snapshot)
                    {
                        SendSnapshots(room, (uint)tick);
                    }
                }
                Histograms.TickDurationUs.Record((long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                if (startedCpu >= 0)
                {
                    Histograms.TickCpuUs.Record(Engine.Transport.ThreadCpuClock.NowUs() - startedCpu);
                }
            }
        }
        return _tickClock.NextTickDueUs;
    }

    private void SendSnapshots(Room room, uint tick)
    {
        if (room.PlayerCount == 0 && room.Spectators.Count == 0)
        {
            return;
        }
        var frame = room.History.Push(tick);
        var states = room.Mode.PlayerStates;
        for (var slot = 0; slot < room.Slots.Length; slot++)
        {
            var player = room.Slots[slot];
            if (player is null)
            {
                frame.Remove(slot); // frames start as a copy of the previous one
                continue;
            }
            ArenaSnapshot.Write(frame, slot, states[slot], player.PlayerId);
        }
        EnsureOrderCapacity(room.Slots.Length);
        _shared.Clear();
        foreach (var player in room.Slots)
        {
            if (player is not null && !TrySendShared(room, frame, player, room.Inputs.LastApplied(player.Slot)))
            {
                SendPlayerSnapshot(room, frame, player);
            }
        }
        foreach (var spectator in room.Spectators)
        {
            if (!TrySendShared(room, frame, spectator, 0))
            {
                SendSpectatorSnapshot(room, frame, spectator);
            }
        }
    }

    /// <summary>
    /// Clients whose view is the server's frame of the same tick hold identical state, so one
    /// encoding (all slots, in slot order) serves them all when it fits the budget: in a steady
    /// room most players acknowledge the same few ticks, and the room encodes a handful of times
    /// instead of once per player. Only the 4-byte input prefix differs. False: encode for this
    /// client alone.
    /// </summary>
    private bool TrySendShared(Room room, SnapshotFrame frame, Session session, uint lastAppliedInput)
    {
        var view = session.View!;
        _ = view.Baseline(room.History); // a view whose frame left the history starts over here, before its tick keys the cache
        if (!(view.IsServerFrame || view.Tick == 0))
        {
            return false;
        }
        var budget = SnapshotBudget(session);
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
            Counters.SharedEncodings++;
        }
        if (!_shared.IsComplete(index))
        {
            return false;
        }
        var encoded = _shared.Bytes(index);
        BinaryPrimitives.WriteUInt32LittleEndian(_snapshotScratch, lastAppliedInput);
        encoded.CopyTo(_snapshotScratch.AsSpan(SnapshotPrefix));
        view.RecordSent(frame.Tick, default, complete: true);
        SendSnapshot(session, _snapshotScratch.AsSpan(0, SnapshotPrefix + encoded.Length));
        return true;
    }

    private static int SnapshotBudget(Session session) =>
        Math.Min(session.Connection.MaxMessageSize, Protocol.Wire.ProtocolConstants.MaxDatagram) - SnapshotPrefix - 1 - Varint.MaxLength32;

    /// <summary>
    /// One player's delta. Everyone present is tried first, the player's own slot leading; when that
    /// does not fit the budget, the others go in order of accumulated priority (near players gain
    /// faster), and those sent start accumulating again from zero.
    /// </summary>
    private void SendPlayerSnapshot(Room room, SnapshotFrame frame, Session player)
    {
        var view = player.View!;
        var baseline = Predict(room, view, frame.Tick);
        var budget = SnapshotBudget(player);
        var count = 0;
        _order[count++] = player.Slot;
        for (var slot = 0; slot < room.Slots.Length; slot++)
        {
            if (slot != player.Slot && (frame.IsPresent(slot) || (baseline?.IsPresent(slot) ?? false)))
            {
                _order[count++] = (ushort)slot;
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_snapshotScratch, room.Inputs.LastApplied(player.Slot));
        var destination = _snapshotScratch.AsSpan(SnapshotPrefix);
        var result = room.Encoder.Encode(frame, baseline, _order.AsSpan(0, count), _included.AsSpan(0, count), destination, budget);
        if (!result.Complete)
        {
            count = OrderByPriority(room, frame, player, count);
            result = room.Encoder.Encode(frame, baseline, _order.AsSpan(0, count), _included.AsSpan(0, count), destination, budget);
            foreach (var slot in _included.AsSpan(0, result.Included))
            {
                player.Priority[slot] = 0;
            }
            Counters.PartialSnapshots++;
        }
        view.RecordSent(frame.Tick, _included.AsSpan(0, result.Included), result.Complete);
        SendSnapshot(player, _snapshotScratch.AsSpan(0, SnapshotPrefix + result.BytesWritten));
    }

    /// <summary>The player's own slot first, then the rest by priority accumulated with interest weights.</summary>
    private int OrderByPriority(Room room, SnapshotFrame frame, Session player, int count)
    {
        if (player.Priority.Length < room.Slots.Length)
        {
            player.Priority = new float[room.Slots.Length];
        }
        var own = room.Mode.PlayerStates[player.Slot];
        var others = _order.AsSpan(1, count - 1);
        foreach (var slot in others)
        {
            player.Priority[slot] += InterestGrid.Weight(own, room.Mode.PlayerStates[slot]);
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
        return count;
    }

    /// <summary>A spectator whose view is its own (a partial snapshot reached it): the whole room, encoded for it alone.</summary>
    private void SendSpectatorSnapshot(Room room, SnapshotFrame frame, Session spectator)
    {
        var view = spectator.View!;
        var baseline = view.Baseline(room.History);
        var count = 0;
        for (var slot = 0; slot < room.Slots.Length; slot++)
        {
            if (frame.IsPresent(slot) || (baseline?.IsPresent(slot) ?? false))
            {
                _order[count++] = (ushort)slot;
            }
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_snapshotScratch, 0);
        var result = room.Encoder.Encode(frame, Predict(room, view, frame.Tick), _order.AsSpan(0, count), _included.AsSpan(0, count),
            _snapshotScratch.AsSpan(SnapshotPrefix), SnapshotBudget(spectator));
        view.RecordSent(frame.Tick, _included.AsSpan(0, result.Included), result.Complete);
        SendSnapshot(spectator, _snapshotScratch.AsSpan(0, SnapshotPrefix + result.BytesWritten));
    }

    /// <summary>The client's view extrapolated to this tick (the client computes the same), or null for a full state.</summary>
    private SnapshotFrame? Predict(Room room, SnapshotView view, uint tick)
    {
        if (view.Baseline(room.History) is not { } baseline)
        {
            return null;
        }
        SnapshotPrediction.Extrapolate(baseline, tick - view.Tick, _options.TickRate, room.Predicted);
        return room.Predicted;
    }

    private void SendSnapshot(Session session, ReadOnlySpan<byte> message)
    {
        if (!session.Connection.QueueUnreliable(MessageKind.Snapshot, message))
        {
            // The packet being built is full: send it now, then start the next with the snapshot.
            FlushSession(session, _now);
            session.Connection.QueueUnreliable(MessageKind.Snapshot, message);
        }
        Counters.SnapshotsSent++;
        Counters.SnapshotBytes += message.Length;
        Histograms.SnapshotBytes.Record(message.Length);
        QueueFlush(session, _now);
    }

    private void EnsureOrderCapacity(int slots)
    {
        if (_order.Length < slots)
        {
            _order = new ushort[slots];
            _included = new ushort[slots];
        }
    }

    /// <summary>Seats a player in the game mode and the input validator.</summary>
    private static void JoinSimulation(Room room, Session session)
    {
        room.Inputs.Join(session.Slot);
        room.Mode.OnPlayerJoined(session.Slot);
        session.ResetView(room.Slots.Length);
    }

    private static void LeaveSimulation(Room room, byte slot)
    {
        room.Inputs.Leave(slot);
        room.Mode.OnPlayerLeft(slot);
    }
}
