using System.Diagnostics.CodeAnalysis;

namespace Engine.Protocol.Simulation;

/// <summary>
/// The rules of the movement arena, shared by server and client: both must use the same values or
/// prediction disagrees with the authority. Lengths in millimetres, speeds in mm/s, gravity in
/// mm/s². The world is the box [Min, Max] on each axis; the floor is <see cref="MinY"/>.
/// </summary>
public readonly record struct ArenaSettings
{
    public const int MaxTickRate = 1000;

    /// <summary>Keeps every intermediate product in Movement.Step far inside 64 bits.</summary>
    public const int MaxSpeed = 1_000_000;

    /// <summary>±1000 km: positions plus a tick of movement stay inside an int.</summary>
    public const int MaxExtent = 1_000_000_000;

    public ArenaSettings()
    {
    }

    public static ArenaSettings Default => new();

    public int TickRate { get; init; } = 60;

    public int MinX { get; init; } = -50_000;
    public int MaxX { get; init; } = 50_000;
    public int MinY { get; init; }
    public int MaxY { get; init; } = 20_000;
    public int MinZ { get; init; } = -50_000;
    public int MaxZ { get; init; } = 50_000;

    public int MoveSpeed { get; init; } = 6_000;
    public int JumpSpeed { get; init; } = 5_000;
    public int Gravity { get; init; } = 9_810;

    /// <summary>Terminal velocity, so a long fall cannot tunnel through the floor in one tick.</summary>
    public int MaxFallSpeed { get; init; } = 50_000;

    /// <summary>Null when the settings are usable, else what is wrong (checked once at configuration, never per tick).</summary>
    public string? Validate()
    {
        if (TickRate is < 1 or > MaxTickRate)
        {
            return $"TickRate must be in [1, {MaxTickRate}]";
        }
        if (!InRange(MinX, MaxX) || !InRange(MinY, MaxY) || !InRange(MinZ, MaxZ))
        {
            return $"each world axis needs Min < Max within ±{MaxExtent} mm";
        }
        if (MoveSpeed is < 0 or > MaxSpeed || JumpSpeed is < 0 or > MaxSpeed || Gravity is < 0 or > MaxSpeed || MaxFallSpeed is < 0 or > MaxSpeed)
        {
            return $"speeds and gravity must be in [0, {MaxSpeed}]";
        }
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <see cref="Validate"/> finds a problem; for constructors, not hot paths.</summary>
    public void EnsureValid()
    {
        if (Validate() is { } error)
        {
            ThrowInvalid(error);
        }
    }

    private static bool InRange(int min, int max) => min >= -MaxExtent && max <= MaxExtent && min < max;

    [DoesNotReturn]
    private static void ThrowInvalid(string error) => throw new ArgumentException(error, "settings");
}
