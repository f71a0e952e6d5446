using Engine.Protocol;
using Engine.Protocol.Sessions;

namespace Engine.LoadTest.Swarm;

internal sealed partial class PlayerSwarm
{
    // The overload scenario's load shape: players [0, _target) are meant to play. A ramp up schedules
    // the next ones' first handshakes; a ramp down lets the newest ones go, a few each pass.
    private int _target;
    private int _leaveDone;
    private int _leaveFrom;
    private int _leaveTo;
    private long _leaveStartUs;
    private double _leavePerSecond;

    /// <summary>Players the swarm holds or is ramping towards.</summary>
    public int Target => _target;

    /// <summary>
    /// Moves the load towards <paramref name="players"/> at <paramref name="perSecond"/> from
    /// <paramref name="startUs"/>: more, and the next players start their handshakes at that rate; fewer,
    /// and the newest players leave cleanly (a disconnect with a reason) at that rate.
    /// </summary>
    public void RampTo(int players, double perSecond, long startUs)
    {
        players = Math.Clamp(players, 0, _options.Players);
        if (players > _target)
        {
            for (var i = _target; i < players; i++)
            {
                _players[i].StartAtUs = startUs + (long)((i - _target) * 1_000_000L / perSecond);
            }
        }
        else if (players < _target)
        {
            _leaveFrom = _target;
            _leaveTo = players;
            _leaveDone = 0;
            _leaveStartUs = startUs;
            _leavePerSecond = perSecond;
        }
        _target = players;
    }

    /// <summary>The ramp down's leaves that are due, newest player first.</summary>
    private void RunLeaves(long now)
    {
        var pending = _leaveFrom - _leaveTo - _leaveDone;
        if (pending <= 0 || now < _leaveStartUs)
        {
            return;
        }
        var due = (int)Math.Min(pending, ((now - _leaveStartUs) * _leavePerSecond / 1_000_000) + 1 - _leaveDone);
        for (var k = 0; k < due; k++)
        {
            Leave(_players[_leaveFrom - 1 - _leaveDone], now);
            _leaveDone++;
        }
    }

    /// <summary>A player leaves for good: says goodbye if it has a session (the disconnect goes out now, repeated), then stops.</summary>
    private void Leave(SimPlayer p, long now)
    {
        if (p.Connection.State is ClientState.Connected)
        {
            p.Connection.Disconnect(DisconnectReason.ClientRequest);
            Flush(p, now);
        }
        LeaveRoomState(p);
        SetPhase(p, PlayerPhase.Done);
        _counters.Departures++;
    }
}
