using System.Buffers.Text;
using Engine.Client.Netcode;
using Engine.Protocol;
using Engine.Protocol.Rooms;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Wire;

namespace Engine.LoadTest.Swarm;

internal sealed partial class PlayerSwarm
{
    private const int ExtraInputs = 2;

    private readonly PlayerInput[] _inputs = new PlayerInput[InputMessage.MaxInputs];
    private readonly byte[] _inputPayload = new byte[InputMessage.MaxFramedSize];

    /// <summary>The players of one slot of the input period: timers, inputs, chat, reconnects.</summary>
    private void RunSlot(int slot, long now)
    {
        for (var i = slot; i < _players.Length; i += Slots)
        {
            var p = _players[i];
            switch (p.Phase)
            {
                case PlayerPhase.Waiting:
                    if (Tickets is not null)
                    {
                        if (now >= p.StartAtUs - TicketLeadUs)
                        {
                            RequestTicket(p);
                        }
                    }
                    else if (now >= p.StartAtUs)
                    {
                        StartConnect(p, now);
                    }
                    continue;
                case PlayerPhase.Matchmaking:
                    if (p.Ticket is not null && now >= p.StartAtUs)
                    {
                        StartConnect(p, now);
                    }
                    continue;
                case PlayerPhase.Silent:
                    if (now >= p.NextActionUs)
                    {
                        p.Intent = RoomIntent.Resume;
                        if (Tickets is not null)
                        {
                            RequestRejoinTicket(p, now);
                        }
                        else
                        {
                            StartConnect(p, now);
                        }
                    }
                    continue;
                case PlayerPhase.Done:
                    continue;
            }
            var connection = p.Connection;
            connection.Update(now);
            if (connection.State == ClientState.Disconnected)
            {
                if (p.Phase == PlayerPhase.Handshaking)
                {
                    _counters.HandshakeTimeouts++;
                    RetryConnect(p, now);
                }
                else
                {
                    OnLost(p, now);
                }
                continue;
            }
            if (p.Phase == PlayerPhase.Handshaking)
            {
                MarkDirty(p); // hello resends
                continue;
            }
            if (now >= p.NextRttSampleUs)
            {
                p.NextRttSampleUs += 1_000_000;
                var rtt = connection.Stats.LastRttUs;
                if (rtt > 0)
                {
                    Rtt.Record(rtt);
                }
            }
            switch (p.Phase)
            {
                case PlayerPhase.Lobby:
                    if (p.PendingRequest == 0 && now >= p.NextActionUs)
                    {
                        RequestRoom(p, now);
                    }
                    else if (p.PendingRequest != 0 && now - p.PendingSinceUs > RequestTimeoutUs)
                    {
                        _counters.RoomRequestTimeouts++;
                        p.PendingRequest = 0;
                    }
                    break;
                case PlayerPhase.Playing:
                    SendInputs(p, now);
                    if (_options.EffectiveChatRate > 0 && now >= p.NextChatUs)
                    {
                        SendChat(p, now);
                    }
                    break;
            }
            if (connection.Session is { } session && session.HasOutput(now))
            {
                MarkDirty(p);
            }
        }
    }

    private void RequestRoom(SimPlayer p, long now)
    {
        if (p.Intent == RoomIntent.Spectate && _spectateRoomId == 0)
        {
            p.NextActionUs = now + 100_000; // the match to watch does not exist yet
            return;
        }
        var id = ++p.NextRequestId == 0 ? ++p.NextRequestId : p.NextRequestId;
        var length = p.Intent switch
        {
            RoomIntent.Spectate => RoomMessages.JoinRoom(_message, id, _spectateRoomId, default, default, spectate: true),
            RoomIntent.Resume when p.HasResumeToken => RoomMessages.Resume(_message, id, p.ResumeToken),
            RoomIntent.JoinTicketRoom => RoomMessages.JoinRoom(_message, id, p.TicketRoom, default, default, spectate: false),
            _ => RoomMessages.QuickMatch(_message, id, (byte)_options.RoomSize),
        };
        if (length > 0 && p.Connection.SendReliable(_message.AsSpan(0, length)))
        {
            p.PendingRequest = id;
            p.PendingSinceUs = now;
            _counters.RoomRequests++;
            MarkDirty(p);
        }
    }

    private void OnRoomMessage(SimPlayer p, ReadOnlySpan<byte> payload, long now)
    {
        if (payload.IsEmpty || !RoomEvent.TryParse(payload, out var e))
        {
            return;
        }
        switch (e.Op)
        {
            case RoomOp.Result:
                if (e.RequestId == 0)
                {
                    _counters.ChatRefused++;
                    break;
                }
                if (e.RequestId != p.PendingRequest)
                {
                    break;
                }
                p.PendingRequest = 0;
                if (e.Status != RoomStatus.Ok && p.Intent == RoomIntent.JoinTicketRoom)
                {
                    // The ticket's room filled (or closed) between the backend's view and the join: quick match on the same node.
                    _counters.TicketRoomsRefused++;
                    p.Intent = RoomIntent.QuickMatch;
                    p.NextActionUs = now;
                }
                else if (e.Status != RoomStatus.Ok)
                {
                    _counters.RoomJoinFailures++;
                    if (p.Intent == RoomIntent.Resume)
                    {
                        _counters.ResumeFailures++;
                        p.Intent = RoomIntent.QuickMatch;
                        p.HasResumeToken = false;
                    }
                    p.NextActionUs = now + (RetryDelayUs / 2);
                }
                break;
            case RoomOp.Joined:
                OnJoined(p, e, now);
                break;
            case RoomOp.Left:
                if (p.InRoom && e.RoomId == p.RoomId)
                {
                    _counters.RoomLefts++;
                    LeaveRoomState(p);
                    SetPhase(p, PlayerPhase.Lobby);
                    p.NextActionUs = now;
                }
                break;
            case RoomOp.Move:
                OnMove(p, e.ConnectionId);
                break;
            case RoomOp.PlayerJoined:
                _counters.PlayerJoinedEvents++;
                break;
            case RoomOp.PlayerLeft:
                _counters.PlayerLeftEvents++;
                break;
            case RoomOp.ChatMessage:
                _counters.ChatReceived++;
                // "t<send time in µs>": every swarm player shares this process's clock.
                if (e.Text.Length > 1 && e.Text[0] == (byte)'t' && Utf8Parser.TryParse(e.Text.Slice(1), out long sentUs, out _))
                {
                    Chat.Record(now - sentUs);
                }
                break;
        }
    }

    private void OnJoined(SimPlayer p, in RoomEvent e, long now)
    {
        if (p.Intent == RoomIntent.Resume)
        {
            _counters.Resumes++;
        }
        if (p.PendingRequest == e.RequestId)
        {
            p.PendingRequest = 0;
        }
        _counters.RoomJoins++;
        JoinTime.Record(now - p.ConnectStartedUs);
        LeaveRoomState(p);
        p.RoomId = e.RoomId;
        p.RoomEpoch = e.RoomEpoch;
        p.Slot = e.Slot;
        p.PlayerId = e.PlayerId;
        p.TickRate = e.TickRate > 0 ? e.TickRate : ArenaSettings.Default.TickRate;
        p.SnapshotRate = e.SnapshotRate > 0 ? e.SnapshotRate : 20;
        if (!e.Spectator)
        {
            e.ResumeToken.CopyTo(p.ResumeToken);
            p.HasResumeToken = true;
            if (_spectateRoomId == 0)
            {
                _spectateRoomId = e.RoomId;
            }
        }
        p.Intent = p.IsSpectatorRole ? RoomIntent.Spectate : RoomIntent.QuickMatch;
        var capacity = Math.Max((int)e.Capacity, 1);
        if (p.Snapshots is null || p.Snapshots.Frames.Capacity != capacity)
        {
            p.Snapshots = new SnapshotApplier<FrameRing>(new FrameRing(capacity, FrameDepth), _predictions);
        }
        p.Snapshots.Start(p.IsSpectatorRole ? -1 : p.Slot, p.PlayerId, p.TickRate);
        if (!e.Spectator)
        {
            var arena = ArenaSettings.Default with { TickRate = p.TickRate };
            p.Predictor ??= new Predictor(arena, default, PredictorCapacity, stats: Netcode);
            p.Predictor.Reset(default);
        }
        p.Seeded = false;
        p.LastSnapshotUs = 0;
        p.ClearSent();
        SetPhase(p, e.Spectator ? PlayerPhase.Spectating : PlayerPhase.InRoom);
    }

    private static void LeaveRoomState(SimPlayer p)
    {
        p.Seeded = false;
        p.RoomId = 0;
        p.ClearSent();
        p.Snapshots?.Clear();
    }

    private void OnSnapshot(SimPlayer p, ReadOnlySpan<byte> payload, long now)
    {
        _counters.SnapshotsReceived++;
        var snapshots = p.Snapshots;
        if (snapshots is null || !p.InRoom)
        {
            _counters.SnapshotsForeign++;
            return;
        }
        if (SnapshotMessage.TryRead(payload, out var lastApplied, out var roomEpoch, out var snapshot) != DropReason.None)
        {
            _counters.SnapshotsMalformed++;
            return;
        }
        if (roomEpoch != p.RoomEpoch)
        {
            _counters.SnapshotsForeign++;
            return;
        }
        var outcome = snapshots.Apply(snapshot, out var header, out var frame, out _);
        if (frame is null)
        {
            Count(outcome);
            return;
        }
        _counters.SnapshotsApplied++;
        _counters.SnapshotBytes += payload.Length;

        // Loss and jitter: snapshots come every tickRate / snapshotRate ticks, a gap of k intervals lost k - 1.
        var interval = (double)p.TickRate / p.SnapshotRate;
        if (p.LastSnapshotUs != 0)
        {
            var intervals = (int)Math.Round((int)(header.Tick - p.LastSnapshotTick) / interval);
            if (intervals > 1)
            {
                _counters.SnapshotsMissed += intervals - 1;
            }
            else if (intervals == 1)
            {
                var gap = now - p.LastSnapshotUs;
                Interarrival.Record(gap);
                Jitter.Record(Math.Abs(gap - (1_000_000L / p.SnapshotRate)));
            }
        }
        p.LastSnapshotUs = now;
        p.LastSnapshotTick = header.Tick;

        if (p.Phase == PlayerPhase.Spectating || !p.Seeded)
        {
            if (!p.IsSpectatorRole)
            {
                var state = ArenaSnapshot.Read(frame, p.Slot);
                // Sequences restart at join, so this is usually the spawn state; inputs sent between the
                // server's move and our hearing of it may have been applied already: continue after them.
                p.Predictor!.Reset(state, lastApplied);
                p.Seeded = true;
                p.PlayStartUs = now;
                p.InputsGenerated = 0;
                p.NextChatUs = now + (long)(1_000_000 / Math.Max(_options.EffectiveChatRate, 1e-6) * (0.5 + (p.NextRandom(1000) / 1000.0)));
                SetPhase(p, PlayerPhase.Playing);
            }
            SendBareAck(p, snapshots.Frames.AckTick);
            return;
        }
        var sink = new AckSink(Ack);
        p.Acknowledge(lastApplied, now, ref sink);
        p.Predictor!.Reconcile(ArenaSnapshot.Read(frame, p.Slot), lastApplied);
    }

    /// <summary>Counts a snapshot that was not applied.</summary>
    private void Count(SnapshotOutcome outcome)
    {
        switch (outcome)
        {
            case SnapshotOutcome.Stale:
                _counters.SnapshotsStale++;
                break;
            case SnapshotOutcome.MissingBaseline:
                _counters.SnapshotsMissingBaseline++;
                break;
            case SnapshotOutcome.Foreign:
                _counters.SnapshotsForeign++;
                break;
            default:
                _counters.SnapshotsMalformed++;
                break;
        }
    }

    /// <summary>Acknowledges a snapshot at once when no input will carry the acknowledgement soon.</summary>
    private void SendBareAck(SimPlayer p, uint tick)
    {
        var length = InputMessage.WriteFramed(_inputPayload, tick, default);
        if (p.Connection.Session is { } session && session.QueueUnreliable(MessageKind.Input, _inputPayload.AsSpan(0, length)))
        {
            _counters.BareAcks++;
            MarkDirty(p);
        }
    }

    /// <summary>
    /// One input message: the inputs of every simulation tick since the last message (one per tick,
    /// as the server applies them), each applied to the prediction, plus the two before them again,
    /// and the acknowledgement of the newest snapshot held.
    /// </summary>
    private void SendInputs(SimPlayer p, long now)
    {
        var due = ((now - p.PlayStartUs) * p.TickRate / 1_000_000) + 1 - p.InputsGenerated;
        if (due <= 0)
        {
            return;
        }
        if (due > InputMessage.MaxInputs - ExtraInputs)
        {
            // The swarm fell behind: those ticks are not played (the player stands still for them).
            _counters.InputsNotGenerated += due - (InputMessage.MaxInputs - ExtraInputs);
            p.InputsGenerated += due - (InputMessage.MaxInputs - ExtraInputs);
            due = InputMessage.MaxInputs - ExtraInputs;
        }
        var predictor = p.Predictor!;
        for (var k = 0; k < due; k++)
        {
            predictor.Apply(p.Pattern.Next(p.TickRate));
        }
        p.InputsGenerated += due;
        _counters.InputsGenerated += due;
        var carried = predictor.CopyRecent(_inputs.AsSpan(0, (int)Math.Min(due + ExtraInputs, InputMessage.MaxInputs)));
        var length = InputMessage.WriteFramed(_inputPayload, p.Snapshots!.Frames.AckTick, _inputs.AsSpan(0, carried));
        var session = p.Connection.Session!;
        var message = _inputPayload.AsSpan(0, length);
        if (!session.QueueUnreliable(MessageKind.Input, message))
        {
            Flush(p, now);
            session.QueueUnreliable(MessageKind.Input, message);
        }
        if (!p.TrackSent(predictor.LastSequence, now))
        {
            _counters.AckRingOverflows++;
        }
        _counters.InputMessages++;
        MarkDirty(p);
    }

    private void SendChat(SimPlayer p, long now)
    {
        p.NextChatUs = now + (long)(1_000_000 / _options.EffectiveChatRate * (0.5 + (p.NextRandom(1000) / 1000.0)));
        Span<byte> text = stackalloc byte[24];
        text[0] = (byte)'t';
        Utf8Formatter.TryFormat(now, text.Slice(1), out var written);
        var length = RoomMessages.Chat(_message, text.Slice(0, 1 + written));
        if (length > 0 && p.Connection.SendReliable(_message.AsSpan(0, length)))
        {
            _counters.ChatSent++;
            MarkDirty(p);
        }
        else
        {
            _counters.ChatNotQueued++;
        }
    }
}
