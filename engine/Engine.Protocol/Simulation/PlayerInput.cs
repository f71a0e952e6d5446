using System.Runtime.InteropServices;

namespace Engine.Protocol.Simulation;

/// <summary>
/// One tick of a player's intent, as the client sampled it. Quantized so the wire form is exact and
/// server and client step the same bits. Sequences start at 1 and grow by one per client tick; 0
/// means "none" (a u32 at 60 Hz lasts two years, so a session never wraps).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public record struct PlayerInput
{
    /// <summary>Axis value meaning 1.0; -128 is out of range (the server clamps it to -127).</summary>
    public const int AxisMax = 127;

    /// <summary>Units of <see cref="Yaw"/> and <see cref="Pitch"/> in a quarter turn (90 degrees); a full turn is 65536.</summary>
    public const int QuarterTurn = 16384;

    public uint Sequence;

    /// <summary>Forward (+) / back (-) in [-127, 127] meaning [-1, 1].</summary>
    public sbyte Forward;

    /// <summary>Right (+) / left (-) in [-127, 127] meaning [-1, 1].</summary>
    public sbyte Right;

    /// <summary>Heading as a fraction of a turn (65536 = 360 degrees); 0 faces +Z, a quarter turn faces +X.</summary>
    public ushort Yaw;

    /// <summary>Look up (+) / down (-) in 1/65536 turn, valid in [-16384, 16384] (straight down to straight up).</summary>
    public short Pitch;

    public InputButtons Buttons;

    public readonly bool IsPressed(InputButtons button) => (Buttons & button) == button;
}
