using System.Runtime.InteropServices;

namespace Engine.Protocol.Simulation;

/// <summary>
/// A player's simulated state as quantized integers: what the server is authoritative over, what
/// the client predicts and what snapshots carry. Y is up. Integers, not floats, so server and
/// client compute the same bits on every CPU and compiler.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public record struct PlayerState
{
    /// <summary>Position in millimetres.</summary>
    public int PositionX;
    public int PositionY;
    public int PositionZ;

    /// <summary>Velocity in millimetres per second.</summary>
    public int VelocityX;
    public int VelocityY;
    public int VelocityZ;

    /// <summary>Same units as <see cref="PlayerInput.Yaw"/> and <see cref="PlayerInput.Pitch"/>.</summary>
    public ushort Yaw;
    public short Pitch;

    public PlayerFlags Flags;

    /// <summary>The yaw change of the last step (1/65536 turn per tick) and the stick it walked with:
    /// what remote ends need to dead-reckon a turning player (see <c>SnapshotPrediction</c>).</summary>
    public short YawRate;
    public sbyte Forward;
    public sbyte Right;

    public readonly bool IsGrounded => (Flags & PlayerFlags.Grounded) != 0;
}
