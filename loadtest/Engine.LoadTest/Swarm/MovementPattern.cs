using Engine.Protocol.Simulation;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// A plausible player's stick: walks in one direction for 2-5 s, then picks another heading and
/// speed (now and then stands still or strafes), turns smoothly towards it, and jumps about once
/// every two seconds. One input per simulation tick; deterministic per seed, allocation-free.
/// </summary>
internal struct MovementPattern
{
    private ulong _rng;
    private int _ticksLeft;
    private ushort _yaw;
    private ushort _targetYaw;
    private sbyte _forward;
    private sbyte _right;
    private short _pitch;

    public MovementPattern(ulong seed)
    {
        _rng = seed | 1;
        _yaw = (ushort)Random(65536);
        _targetYaw = _yaw;
    }

    public PlayerInput Next(int tickRate)
    {
        if (--_ticksLeft <= 0)
        {
            _ticksLeft = tickRate * 2 + Random((uint)(tickRate * 3));
            _targetYaw = (ushort)Random(65536);
            var mode = Random(10);
            (_forward, _right) = mode switch
            {
                0 => ((sbyte)0, (sbyte)0),                       // stand
                1 => ((sbyte)0, Random(2) == 0 ? (sbyte)127 : (sbyte)-127), // strafe
                2 => ((sbyte)-90, (sbyte)0),                     // back off
                3 => ((sbyte)100, (sbyte)80),                    // diagonal
                _ => ((sbyte)127, (sbyte)0),                     // run
            };
            _pitch = (short)(Random(4000) - 2000);
        }
        // Turn at most a quarter turn per second towards the new heading.
        var step = Math.Max(1, PlayerInput.QuarterTurn / tickRate);
        var delta = (short)(ushort)(_targetYaw - _yaw);
        _yaw = (ushort)(_yaw + Math.Clamp((int)delta, -step, step));
        var buttons = Random((uint)(tickRate * 2)) == 0 ? InputButtons.Jump : InputButtons.None;
        return new PlayerInput { Forward = _forward, Right = _right, Yaw = _yaw, Pitch = _pitch, Buttons = buttons };
    }

    private int Random(uint bound)
    {
        _rng ^= _rng << 13;
        _rng ^= _rng >> 7;
        _rng ^= _rng << 17;
        return (int)(_rng % bound);
    }
}
