namespace Engine.Protocol.Simulation;

/// <summary>
/// THE movement rule of the arena: the server runs it as the authority and the client runs it to
/// predict. Integer math only, and nothing but its arguments as input, so given the same state,
/// input and settings both sides produce the same bits and a well-behaved client is never corrected.
/// </summary>
public static class Movement
{
    private const int AxisMax = PlayerInput.AxisMax;

    /// <summary>
    /// Advances <paramref name="state"/> by one tick of <paramref name="input"/>: faces the input's
    /// yaw and pitch, walks at <see cref="ArenaSettings.MoveSpeed"/> along the axes (diagonals no
    /// faster), jumps when grounded, falls under gravity and stays inside the world box. Settings
    /// must be valid (<see cref="ArenaSettings.Validate"/>); inputs need not be: axes and pitch are clamped.
    /// </summary>
    public static void Step(ref PlayerState state, in PlayerInput input, in ArenaSettings settings)
    {
        var rate = settings.TickRate;
        state.YawRate = (short)(input.Yaw - state.Yaw);
        state.Yaw = input.Yaw;
        state.Pitch = (short)Math.Clamp((int)input.Pitch, -PlayerInput.QuarterTurn, PlayerInput.QuarterTurn);
        state.Forward = (sbyte)Math.Max((int)input.Forward, -AxisMax);
        state.Right = (sbyte)Math.Max((int)input.Right, -AxisMax);
        (state.VelocityX, state.VelocityZ) = WalkVelocity(state.Forward, state.Right, input.Yaw, settings.MoveSpeed);

        var grounded = state.IsGrounded;
        if (grounded && input.IsPressed(InputButtons.Jump))
        {
            state.VelocityY = settings.JumpSpeed;
            grounded = false;
        }
        if (!grounded)
        {
            state.VelocityY = Math.Max(state.VelocityY - settings.Gravity / rate, -settings.MaxFallSpeed);
        }
        else
        {
            state.VelocityY = 0;
        }

        // Integrate, then clamp to the world; a wall or the ceiling stops motion into it so the
        // velocity a snapshot carries (and remote extrapolation uses) stays honest.
        state.PositionX = StopAtWall(state.PositionX + (long)(state.VelocityX / rate), settings.MinX, settings.MaxX, ref state.VelocityX);
        state.PositionZ = StopAtWall(state.PositionZ + (long)(state.VelocityZ / rate), settings.MinZ, settings.MaxZ, ref state.VelocityZ);
        var y = state.PositionY + (long)(state.VelocityY / rate);
        if (y <= settings.MinY)
        {
            y = settings.MinY;
            state.VelocityY = 0;
            grounded = true;
        }
        else
        {
            grounded = false;
            if (y >= settings.MaxY)
            {
                y = settings.MaxY;
                state.VelocityY = Math.Min(state.VelocityY, 0);
            }
        }
        state.PositionY = (int)y;
        state.Flags = grounded ? state.Flags | PlayerFlags.Grounded : state.Flags & ~PlayerFlags.Grounded;
    }

    /// <summary>
    /// Walking velocity (x, z): the stick as a vector capped at length 1, rotated by yaw, times the
    /// move speed. Velocity is set, not accelerated, which keeps the arena crisp and the rule short.
    /// </summary>
    public static (int X, int Z) WalkVelocity(int forward, int right, ushort yaw, int moveSpeed)
    {
        var (cappedForward, cappedRight) = CapStick(forward, right);
        return RotatedVelocity(cappedForward, cappedRight, yaw, moveSpeed);
    }

    /// <summary>The stick as a vector of length at most 1 (<see cref="AxisMax"/>): the part of <see cref="WalkVelocity"/> that does not depend on yaw.</summary>
    public static (int Forward, int Right) CapStick(int forward, int right)
    {
        forward = Math.Max(forward, -AxisMax);
        right = Math.Max(right, -AxisMax);
        var lengthSquared = forward * forward + right * right;
        if (lengthSquared > AxisMax * AxisMax)
        {
            // Rounded up, so the scaled stick never ends up longer than 1.
            var length = (int)FixedMath.Sqrt((ulong)lengthSquared);
            length += length * length < lengthSquared ? 1 : 0;
            forward = forward * AxisMax / length;
            right = right * AxisMax / length;
        }
        return (forward, right);
    }

    /// <summary>A capped stick (<see cref="CapStick"/>) rotated by yaw, times the move speed.</summary>
    public static (int X, int Z) RotatedVelocity(int forward, int right, ushort yaw, int moveSpeed)
    {
        long sin = FixedMath.Sin(yaw);
        long cos = FixedMath.Cos(yaw);
        const long Scale = (long)AxisMax * FixedMath.One;
        return ((int)(moveSpeed * (forward * sin + right * cos) / Scale), (int)(moveSpeed * (forward * cos - right * sin) / Scale));
    }

    /// <summary>Keeps a coordinate inside the world; running into a wall zeroes the velocity into it. Dead reckoning stops at walls by the same rule.</summary>
    internal static int StopAtWall(long position, int min, int max, ref int velocity)
    {
        if (position < min)
        {
            velocity = Math.Max(velocity, 0);
            return min;
        }
        if (position > max)
        {
            velocity = Math.Min(velocity, 0);
            return max;
        }
        return (int)position;
    }
}
