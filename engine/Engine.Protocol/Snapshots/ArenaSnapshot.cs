using Engine.Protocol.Simulation;

namespace Engine.Protocol.Snapshots;

/// <summary>How a movement-arena player's <see cref="PlayerState"/> sits in a snapshot slot: one field per member.</summary>
public static class ArenaSnapshot
{
    /// <summary>Puts <paramref name="state"/> and its owner in <paramref name="slot"/> (present).</summary>
    public static void Write(SnapshotFrame frame, int slot, in PlayerState state, uint owner)
    {
        frame.Add(slot);
        frame.Set(slot, SnapshotField.PositionX, state.PositionX);
        frame.Set(slot, SnapshotField.PositionY, state.PositionY);
        frame.Set(slot, SnapshotField.PositionZ, state.PositionZ);
        frame.Set(slot, SnapshotField.Yaw, state.Yaw);
        frame.Set(slot, SnapshotField.Pitch, state.Pitch);
        frame.Set(slot, SnapshotField.VelocityX, state.VelocityX);
        frame.Set(slot, SnapshotField.VelocityY, state.VelocityY);
        frame.Set(slot, SnapshotField.VelocityZ, state.VelocityZ);
        frame.Set(slot, SnapshotField.Flags, (int)state.Flags);
        frame.Set(slot, SnapshotField.Owner, (int)owner);
        frame.Set(slot, SnapshotField.YawRate, state.YawRate);
        frame.Set(slot, SnapshotField.Stick, PackStick(state.Forward, state.Right));
    }

    /// <summary>The state held in <paramref name="slot"/>, as the server had it.</summary>
    public static PlayerState Read(SnapshotFrame frame, int slot)
    {
        var stick = frame.Get(slot, SnapshotField.Stick);
        return new PlayerState
        {
            PositionX = frame.Get(slot, SnapshotField.PositionX),
            PositionY = frame.Get(slot, SnapshotField.PositionY),
            PositionZ = frame.Get(slot, SnapshotField.PositionZ),
            VelocityX = frame.Get(slot, SnapshotField.VelocityX),
            VelocityY = frame.Get(slot, SnapshotField.VelocityY),
            VelocityZ = frame.Get(slot, SnapshotField.VelocityZ),
            Yaw = (ushort)frame.Get(slot, SnapshotField.Yaw),
            Pitch = (short)frame.Get(slot, SnapshotField.Pitch),
            Flags = (PlayerFlags)(byte)frame.Get(slot, SnapshotField.Flags),
            YawRate = (short)frame.Get(slot, SnapshotField.YawRate),
            Forward = StickForward(stick),
            Right = StickRight(stick),
        };
    }

    public static int PackStick(sbyte forward, sbyte right) => (byte)forward | ((byte)right << 8);

    public static sbyte StickForward(int stick) => (sbyte)(byte)stick;

    public static sbyte StickRight(int stick) => (sbyte)(byte)(stick >> 8);
}
