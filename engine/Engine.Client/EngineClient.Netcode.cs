using Engine.Client.Netcode;
using Engine.Protocol;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;

namespace Engine.Client;

/// <summary>
/// The game layer on the client: inputs out, snapshots in. The local player is predicted with
/// <see cref="Movement.Step"/> (the rule the server runs) and reconciled with every snapshot; the
/// other players are interpolated a little in the past. Nothing here allocates per frame.
/// </summary>
public sealed partial class EngineClient
{
    /// <summary>Inputs each input message carries by default: the newest and three before it, so up to three lost packets in a row lose no input.</summary>
    public const int DefaultInputRedundancy = 4;

    private const long RateWindowUs = 1_000_000;
    private const long NeverUs = long.MinValue / 2; // far in the past, yet now - NeverUs does not overflow

    private readonly NetcodeStats _netcodeStats = new();
    private readonly PlayerInput[] _recentInputs = new PlayerInput[InputMessage.MaxInputs];
    private readonly byte[] _gamePayload = new byte[InputMessage.MaxFramedSize];
    private RoomNetcode? _netcode;
    private ArenaSettings _arena = ArenaSettings.Default;
    private TimeSpan _interpolationDelay = TimeSpan.FromMilliseconds(Interpolator.DefaultDelayMs);
    private TimeSpan _maxExtrapolation = TimeSpan.FromMilliseconds(Interpolator.DefaultMaxExtrapolationMs);
    private int _inputRedundancy = DefaultInputRedundancy;
    private long _lastInputUs = NeverUs;
    private long _snapshotsApplied;
    private long _snapshotsStale;
    private long _snapshotsDropped;
    private long _snapshotsMissingBaseline;
    private long _snapshotBytes;
    private long _inputsSent;
    private long _inputsRefused;
    private long _rateWindowStartUs = NeverUs;
    private long _rateBytesSent;
    private long _rateBytesReceived;
    private long _rateSnapshots;
    private double _bytesSentPerSecond;
    private double _bytesReceivedPerSecond;
    private double _snapshotsPerSecond;

    /// <summary>Snapshot messages received from the server.</summary>
    public long SnapshotsReceived { get; private set; }

    /// <summary>
    /// Raised after each snapshot is applied, with its server tick: the local prediction is reconciled
    /// and the other players' buffers hold the new states.
    /// </summary>
    public event Action<uint>? SnapshotApplied;

    /// <summary>
    /// The arena rules prediction runs with; they must equal the server's (the default arena unless
    /// the server was built with other settings). The tick rate is always taken from the room.
    /// Applies from the next room joined.
    /// </summary>
    public ArenaSettings ArenaSettings
    {
        get => _arena;
        set
        {
            value.EnsureValid();
            _arena = value;
        }
    }

    /// <summary>
    /// How far in the past other players are drawn (default 100 ms): room for two lost 20 Hz snapshots
    /// and jitter, so they move smoothly between real states. Applies from the next room joined.
    /// </summary>
    public TimeSpan InterpolationDelay
    {
        get => _interpolationDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _interpolationDelay = value;
        }
    }

    /// <summary>
    /// How far past their newest snapshot other players may be extrapolated along their velocity when
    /// snapshots stop (default 250 ms); after that they are held still. Applies from the next room joined.
    /// </summary>
    public TimeSpan MaxExtrapolation
    {
        get => _maxExtrapolation;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _maxExtrapolation = value;
        }
    }

    /// <summary>
    /// Inputs carried by each input message, 1 to <see cref="InputMessage.MaxInputs"/> (default
    /// <see cref="DefaultInputRedundancy"/>): the newest and the ones before it again, so lost packets
    /// lose no input. Raise it on lossy links; each extra input costs 7 bytes per message.
    /// </summary>
    public int InputRedundancy
    {
        get => _inputRedundancy;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, InputMessage.MaxInputs);
            _inputRedundancy = value;
        }
    }

    /// <summary>
    /// The room's simulation tick (1/60 s by default): call <see cref="SendPlayerInput(in PlayerInput)"/>
    /// once per tick interval. Outside a room, the default tick.
    /// </summary>
    public TimeSpan TickInterval => TimeSpan.FromSeconds(1.0 / (CurrentRoom is { TickRate: > 0 } room ? room.TickRate : ArenaSettings.Default.TickRate));

    /// <summary>
    /// True when <see cref="SendPlayerInput(in PlayerInput)"/> will take an input: connected, playing
    /// (not spectating) in a room, and the first snapshot has brought this player's spawn state.
    /// </summary>
    public bool CanSendInput => IsConnected && CurrentNetcode() is { IsSpectator: false, Seeded: true };

    /// <summary>Prediction and interpolation counters (corrections, replays, extrapolation); kept across rooms.</summary>
    public NetcodeStats NetcodeStats => _netcodeStats;

    /// <summary>
    /// Sends one tick of the local player's input. Call it once per simulation tick
    /// (<see cref="TickInterval"/>, 60 Hz by default), every tick, even when nothing is pressed: inputs
    /// are per tick, the server applies them in order at its own tick (a few at most per tick to catch
    /// up), and the player moves only by inputs. Sending faster does not move the player faster;
    /// sending slower makes the player slower than the local prediction shows until corrected.
    /// The input is stamped with the next sequence, applied at once to the local prediction (read it
    /// with <see cref="TryGetLocalPlayerState"/>), and sent now, together with the previous
    /// <see cref="InputRedundancy"/> - 1 inputs and the acknowledgement of the newest snapshot.
    /// Returns false, and sends nothing, when not connected, when not playing in a room (spectators
    /// cannot act) or until the room's first snapshot has arrived (a few tens of milliseconds after
    /// joining; see <see cref="CanSendInput"/>).
    /// </summary>
    /// <param name="input">Axes, look angles and buttons; its <see cref="PlayerInput.Sequence"/> is ignored.</param>
    public bool SendPlayerInput(in PlayerInput input)
    {
        var netcode = CurrentNetcode();
        if (!IsConnected || netcode is not { IsSpectator: false, Seeded: true })
        {
            _inputsRefused++;
            return false;
        }
        var now = MonotonicClock.NowUs;
        netcode.Predictor.Apply(input);
        var carried = netcode.Predictor.CopyRecent(_recentInputs.AsSpan(0, _inputRedundancy));
        var length = InputMessage.WriteFramed(_gamePayload, netcode.NewestTick, _recentInputs.AsSpan(0, carried));
        var payload = _gamePayload.AsSpan(0, length);
        if (!_connection.SendGameMessage(MessageKind.Input, payload))
        {
            // The packet being built is full: send it, and start the next with the input.
            SendDue(now);
            _connection.SendGameMessage(MessageKind.Input, payload);
        }
        // Sent now rather than at the next Update: every millisecond here is input latency.
        SendDue(now);
        _inputsSent++;
        _lastInputUs = now;
        SampleRates(now);
        return true;
    }

    /// <summary>
    /// Sends one tick of input; see <see cref="SendPlayerInput(in PlayerInput)"/>.
    /// </summary>
    /// <param name="forward">Forward (+) / back (-), -127..127 for -1..1.</param>
    /// <param name="right">Right (+) / left (-), -127..127 for -1..1.</param>
    /// <param name="yaw">Heading, 65536 units to a turn; 0 faces +Z, 16384 faces +X.</param>
    /// <param name="pitch">Look up (+) / down (-), -16384..16384.</param>
    /// <param name="buttons">Buttons held during this tick.</param>
    public bool SendPlayerInput(sbyte forward, sbyte right, ushort yaw, short pitch, InputButtons buttons = InputButtons.None) =>
        SendPlayerInput(new PlayerInput { Forward = forward, Right = right, Yaw = yaw, Pitch = pitch, Buttons = buttons });

    /// <summary>
    /// The state to draw a player in the current room with. This client's own player: the predicted
    /// state after every input sent (responsive, reconciled with each snapshot). Everyone else: their
    /// authoritative states interpolated at now - <see cref="InterpolationDelay"/>, extrapolated for at
    /// most <see cref="MaxExtrapolation"/> when snapshots are late. Spectators see everyone this way.
    /// False when not in a room or no state of that player has arrived yet.
    /// </summary>
    /// <param name="playerId">A <see cref="RoomPlayer.PlayerId"/>; this client's own is <see cref="RoomInfo.PlayerId"/>.</param>
    /// <param name="state">Positions in millimetres (Y up), velocities in mm/s, yaw and pitch in 1/65536 turn.</param>
    public bool TryGetPlayerState(uint playerId, out PlayerState state)
    {
        var netcode = CurrentNetcode();
        if (netcode is null)
        {
            state = default;
            return false;
        }
        if (!netcode.IsSpectator && playerId == netcode.Room.PlayerId)
        {
            state = netcode.Predictor.State;
            return netcode.Seeded;
        }
        return netcode.TrySample(playerId, MonotonicClock.NowUs, out state);
    }

    /// <summary>This client's own predicted state; false when spectating, outside a room or before the first snapshot.</summary>
    public bool TryGetLocalPlayerState(out PlayerState state)
    {
        var netcode = CurrentNetcode();
        if (netcode is not { IsSpectator: false, Seeded: true })
        {
            state = default;
            return false;
        }
        state = netcode.Predictor.State;
        return true;
    }

    /// <summary>Connection, snapshot, input and prediction figures in one value; cheap enough to call every frame.</summary>
    public ClientStats GetStats()
    {
        SampleRates(MonotonicClock.NowUs);
        var connection = _connection.Stats;
        var netcode = _netcode;
        return new ClientStats
        {
            RoundTripTime = TimeSpan.FromMicroseconds(connection.SmoothedRttUs),
            RoundTripTimeVariance = TimeSpan.FromMicroseconds(connection.RttVarianceUs),
            PacketLoss = connection.LossRatio,
            PacketsSent = connection.PacketsSent,
            PacketsReceived = connection.PacketsReceived,
            BytesSent = connection.BytesSent,
            BytesReceived = connection.BytesReceived,
            BytesSentPerSecond = _bytesSentPerSecond,
            BytesReceivedPerSecond = _bytesReceivedPerSecond,
            SnapshotsReceived = SnapshotsReceived,
            SnapshotsApplied = _snapshotsApplied,
            SnapshotsStale = _snapshotsStale,
            SnapshotsDropped = _snapshotsDropped,
            SnapshotsMissingBaseline = _snapshotsMissingBaseline,
            SnapshotsPerSecond = _snapshotsPerSecond,
            SnapshotBytes = _snapshotBytes,
            LatestSnapshotTick = netcode?.NewestTick ?? 0,
            InputsSent = _inputsSent,
            InputsRefused = _inputsRefused,
            LastInputSequence = netcode?.Predictor.LastSequence ?? 0,
            LastAcknowledgedInput = netcode?.Predictor.LastAcknowledged ?? 0,
            UnacknowledgedInputs = netcode?.Predictor.Unacknowledged ?? 0,
            Mispredictions = _netcodeStats.Mispredictions,
            Corrections = _netcodeStats.Corrections,
            CorrectionDistanceTotalMm = _netcodeStats.CorrectionDistanceTotalMm,
            LastCorrectionMm = _netcodeStats.LastCorrectionMm,
            MaxCorrectionMm = _netcodeStats.MaxCorrectionMm,
            InputsReplayed = _netcodeStats.InputsReplayed,
            InterpolationDelay = _interpolationDelay,
            ExtrapolatedSamples = _netcodeStats.ExtrapolatedSamples,
            CappedSamples = _netcodeStats.CappedSamples,
        };
    }

    /// <summary>The newest world frame decoded in this room (tests compare encodings with it).</summary>
    internal SnapshotFrame? LatestFrame => _netcode?.Latest;

    /// <summary>Queues a raw game message (tests use it to play a misbehaving client).</summary>
    internal bool SendGameMessage(MessageKind kind, ReadOnlySpan<byte> payload) => _connection.SendGameMessage(kind, payload);

    private void OnGameMessage(MessageKind kind, ReadOnlySpan<byte> payload)
    {
        if (kind != MessageKind.Snapshot)
        {
            return; // The server sends clients nothing else; a newer server's extras are ignored.
        }
        SnapshotsReceived++;
        var now = MonotonicClock.NowUs;
        var netcode = CurrentNetcode();
        var outcome = netcode?.OnMessage(payload, now)
            ?? (payload.Length < SnapshotMessage.PrefixSize ? SnapshotOutcome.Malformed : SnapshotOutcome.Foreign);
        switch (outcome)
        {
            case SnapshotOutcome.Applied:
                _snapshotsApplied++;
                _snapshotBytes += payload.Length - SnapshotMessage.PrefixSize;
                // A player sending inputs acknowledges with the next one (within a tick); anyone else
                // acknowledges now, so the server can send deltas against this frame.
                if (netcode!.IsSpectator || now - _lastInputUs > 2_000_000L / Math.Max(netcode.Room.TickRate, 1))
                {
                    SendBareAck(netcode.NewestTick);
                }
                SnapshotApplied?.Invoke(netcode.NewestTick);
                break;
            case SnapshotOutcome.Stale:
                _snapshotsStale++;
                break;
            case SnapshotOutcome.MissingBaseline:
                _snapshotsMissingBaseline++;
                _snapshotsDropped++;
                break;
            default:
                _snapshotsDropped++;
                break;
        }
        SampleRates(now);
    }

    /// <summary>Goes out with the packet <see cref="Update"/> sends after reading.</summary>
    private void SendBareAck(uint tick)
    {
        var length = InputMessage.WriteFramed(_gamePayload, tick, default);
        _connection.SendGameMessage(MessageKind.Input, _gamePayload.AsSpan(0, length));
    }

    /// <summary>The netcode of the room the client is in now; a new one when it joined another room (or the same again).</summary>
    private RoomNetcode? CurrentNetcode()
    {
        var room = CurrentRoom;
        if (room is null)
        {
            _netcode = null;
        }
        else if (_netcode is null || !ReferenceEquals(_netcode.Room, room))
        {
            var arena = _arena with { TickRate = room.TickRate > 0 ? room.TickRate : _arena.TickRate };
            _netcode = new RoomNetcode(room, arena, (int)_interpolationDelay.TotalMilliseconds, (int)_maxExtrapolation.TotalMilliseconds, _netcodeStats)
            {
                Epoch = _roomEpoch,
            };
        }
        return _netcode;
    }

    /// <summary>Rolls the one-second window the per-second rates are measured over.</summary>
    private void SampleRates(long now)
    {
        var elapsed = now - _rateWindowStartUs;
        if (elapsed < RateWindowUs)
        {
            return;
        }
        var connection = _connection.Stats;
        if (_rateWindowStartUs != NeverUs && connection.BytesSent >= _rateBytesSent && connection.BytesReceived >= _rateBytesReceived)
        {
            var perSecond = 1e6 / elapsed;
            _bytesSentPerSecond = (connection.BytesSent - _rateBytesSent) * perSecond;
            _bytesReceivedPerSecond = (connection.BytesReceived - _rateBytesReceived) * perSecond;
            _snapshotsPerSecond = (_snapshotsApplied - _rateSnapshots) * perSecond;
        }
        _rateWindowStartUs = now;
        _rateBytesSent = connection.BytesSent;
        _rateBytesReceived = connection.BytesReceived;
        _rateSnapshots = _snapshotsApplied;
    }
}
