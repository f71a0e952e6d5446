using System.Numerics;
using Engine.Protocol.Simulation;

namespace Engine.Protocol.Snapshots;

/// <summary>
/// Dead reckoning of a baseline frame: deltas are encoded against where each entity would be if its
/// player kept doing what it did on its last tick (same stick, same turn rate, no new jump), so a
/// player running straight, turning steadily or flying through a jump costs nothing until it
/// changes its mind. Both ends compute the same predicted frame from the same baseline with
/// <see cref="Movement.Step"/>'s integer rule, the arena's default constants (gravity, terminal
/// speed, world box) and the room's tick rate: a turning entity (yaw rate not 0) adds its yaw rate
/// each tick and walks with its stick at the new yaw; the others keep their velocity, each tick
/// moving x and z by velocity / tick rate (truncated) and stopping at the walls; an airborne entity
/// also loses gravity / tick rate of vertical speed each tick before it moves, and lands on the
/// floor (grounded, vertical speed 0).
/// </summary>
public static class SnapshotPrediction
{
    private static readonly ArenaSettings Arena = ArenaSettings.Default;

    /// <summary>Writes into <paramref name="destination"/> the baseline moved <paramref name="ticks"/> ticks forward.</summary>
    public static void Extrapolate(SnapshotFrame baseline, uint ticks, int tickRate, SnapshotFrame destination)
    {
        destination.CopyFrom(baseline);
        if (tickRate <= 0 || ticks == 0 || ticks > 10_000)
        {
            return;
        }
        var presence = baseline.Presence;
        for (var word = 0; word < presence.Length; word++)
        {
            var bits = presence[word];
            while (bits != 0)
            {
                var slot = (word << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                if (slot >= baseline.Capacity)
                {
                    break;
                }
                if (destination.Get(slot, SnapshotField.YawRate) != 0)
                {
                    Turn(destination, slot, ticks, tickRate);
                }
                else
                {
                    Horizontal(destination, slot, SnapshotField.PositionX, SnapshotField.VelocityX, ticks, tickRate, Arena.MinX, Arena.MaxX);
                    Horizontal(destination, slot, SnapshotField.PositionZ, SnapshotField.VelocityZ, ticks, tickRate, Arena.MinZ, Arena.MaxZ);
                }
                if ((destination.Get(slot, SnapshotField.Flags) & (int)SnapshotFlags.Grounded) == 0)
                {
                    Fall(destination, slot, ticks, tickRate);
                }
            }
        }
    }

    /// <summary>
    /// Constant velocity along one axis, stopped by the wall it runs into: the same as stepping tick
    /// by tick, because motion is monotonic and a wall zeroes the velocity into it for good.
    /// </summary>
    private static void Horizontal(SnapshotFrame frame, int slot, SnapshotField position, SnapshotField velocity, uint ticks, int tickRate, int min, int max)
    {
        var v = frame.Get(slot, velocity);
        var x = Movement.StopAtWall(frame.Get(slot, position) + (long)ticks * (v / tickRate), min, max, ref v);
        frame.Set(slot, velocity, v);
        frame.Set(slot, position, unchecked((int)x));
    }

    /// <summary>A steady turn, tick by tick as the arena steps it: the velocity follows the heading.</summary>
    private static void Turn(SnapshotFrame frame, int slot, uint ticks, int tickRate)
    {
        var yawRate = frame.Get(slot, SnapshotField.YawRate);
        var stick = frame.Get(slot, SnapshotField.Stick);
        // The stick holds still while the heading turns: cap it once, rotate it every tick.
        var (forward, right) = Movement.CapStick(ArenaSnapshot.StickForward(stick), ArenaSnapshot.StickRight(stick));
        var yaw = frame.Get(slot, SnapshotField.Yaw);
        long x = frame.Get(slot, SnapshotField.PositionX);
        long z = frame.Get(slot, SnapshotField.PositionZ);
        int vx = 0, vz = 0;
        for (var tick = 0u; tick < ticks; tick++)
        {
            yaw = (yaw + yawRate) & 0xFFFF;
            (vx, vz) = Movement.RotatedVelocity(forward, right, (ushort)yaw, Arena.MoveSpeed);
            x = Movement.StopAtWall(x + vx / tickRate, Arena.MinX, Arena.MaxX, ref vx);
            z = Movement.StopAtWall(z + vz / tickRate, Arena.MinZ, Arena.MaxZ, ref vz);
        }
        frame.Set(slot, SnapshotField.Yaw, yaw);
        frame.Set(slot, SnapshotField.PositionX, (int)x);
        frame.Set(slot, SnapshotField.PositionZ, (int)z);
        frame.Set(slot, SnapshotField.VelocityX, vx);
        frame.Set(slot, SnapshotField.VelocityZ, vz);
    }

    /// <summary>Gravity, tick by tick as the arena steps it, until the entity lands or the ticks run out.</summary>
    private static void Fall(SnapshotFrame frame, int slot, uint ticks, int tickRate)
    {
        long y = frame.Get(slot, SnapshotField.PositionY);
        var v = frame.Get(slot, SnapshotField.VelocityY);
        var flags = frame.Get(slot, SnapshotField.Flags);
        var gravity = Arena.Gravity / tickRate;
        for (var tick = 0u; tick < ticks; tick++)
        {
            v = Math.Max(v - gravity, -Arena.MaxFallSpeed);
            y += v / tickRate;
            if (y <= Arena.MinY)
            {
                y = Arena.MinY;
                v = 0;
                flags |= (int)SnapshotFlags.Grounded;
                break;
            }
            if (y >= Arena.MaxY)
            {
                y = Arena.MaxY;
                v = Math.Min(v, 0);
            }
        }
        frame.Set(slot, SnapshotField.PositionY, unchecked((int)y));
        frame.Set(slot, SnapshotField.VelocityY, v);
        frame.Set(slot, SnapshotField.Flags, flags);
    }
}
