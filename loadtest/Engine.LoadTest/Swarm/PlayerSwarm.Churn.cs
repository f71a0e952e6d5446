using Engine.Protocol;

namespace Engine.LoadTest.Swarm;

internal sealed partial class PlayerSwarm
{
    private const long ChurnStepUs = 10_000;

    private long _nextChurnUs;
    private double _moveCredit;
    private double _leaveCredit;
    private double _dropCredit;

    /// <summary>
    /// Churn, spread evenly over time: moves (quick match from inside a room: the server moves the
    /// player, keeping the session), leaves (disconnect, then a new session joins), and drops (the
    /// player goes silent until the server times it out and keeps its slot, then reconnects and resumes).
    /// </summary>
    private void RunChurn(long now)
    {
        if (!_options.Churns || now < _nextChurnUs)
        {
            return;
        }
        var seconds = _nextChurnUs == 0 ? 0 : (now - _nextChurnUs + ChurnStepUs) / 1e6;
        _nextChurnUs = now + ChurnStepUs;
        _moveCredit += _options.MoveRate * seconds;
        _leaveCredit += _options.LeaveRate * seconds;
        _dropCredit += _options.ReconnectRate * seconds;
        for (; _moveCredit >= 1; _moveCredit--)
        {
            if (PickPlaying() is { } p)
            {
                _counters.Moves++;
                p.Intent = RoomIntent.QuickMatch;
                RequestRoom(p, now);
            }
        }
        for (; _leaveCredit >= 1; _leaveCredit--)
        {
            if (PickPlaying() is { } p)
            {
                _counters.Leaves++;
                p.Connection.Disconnect();
                Flush(p, now);
                LeaveRoomState(p);
                p.HasResumeToken = false;
                p.Intent = RoomIntent.QuickMatch;
                RetryConnect(p, now);
            }
        }
        for (; _dropCredit >= 1; _dropCredit--)
        {
            if (PickPlaying() is { } p)
            {
                _counters.Drops++;
                var timeoutUs = p.Connection.Session?.Options.TimeoutUs ?? 5_000_000;
                p.KeptRoom = p.RoomId; // a fleet player asks for a ticket to this room's node to resume
                LeaveRoomState(p);
                Unroute(p);
                SetPhase(p, PlayerPhase.Silent);
                p.NextActionUs = now + timeoutUs + 1_000_000;
            }
        }
    }

    private SimPlayer? PickPlaying()
    {
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var p = _players[Random.Shared.Next(_options.Players)];
            if (p.Phase == PlayerPhase.Playing && p.Connection.State == ClientState.Connected && p.PendingRequest == 0)
            {
                return p;
            }
        }
        return null;
    }
}
