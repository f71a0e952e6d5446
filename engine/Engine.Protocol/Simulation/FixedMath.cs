namespace Engine.Protocol.Simulation;

/// <summary>
/// Integer trigonometry and square root for the simulation. The sine table is computed with
/// integer arithmetic only (a Taylor series in Q30), never Math.Sin, whose last bit differs
/// between C runtimes: every platform builds the identical table, so prediction matches the server.
/// </summary>
public static class FixedMath
{
    /// <summary>1.0 in the Q14 results of <see cref="Sin"/> and <see cref="Cos"/>.</summary>
    public const int One = 1 << 14;

    private const int QuarterTurn = PlayerInput.QuarterTurn;

    /// <summary>π in Q30, rounded.</summary>
    private const long PiQ30 = 3_373_259_426;

    private static readonly short[] s_quarterSine = BuildQuarterSine();

    /// <summary>Sine of an angle in 1/65536 turn, in Q14 (16384 = 1.0).</summary>
    public static int Sin(ushort angle)
    {
        var table = s_quarterSine;
        var index = angle & (QuarterTurn - 1);
        return (angle >> 14) switch
        {
            0 => table[index],
            1 => table[QuarterTurn - index],
            2 => -table[index],
            _ => -table[QuarterTurn - index],
        };
    }

    /// <summary>Cosine of an angle in 1/65536 turn, in Q14.</summary>
    public static int Cos(ushort angle) => Sin((ushort)(angle + QuarterTurn));

    /// <summary>Floor of the square root.</summary>
    public static uint Sqrt(ulong value)
    {
        ulong result = 0;
        var bit = 1UL << 62;
        while (bit > value)
        {
            bit >>= 2;
        }
        while (bit != 0)
        {
            if (value >= result + bit)
            {
                value -= result + bit;
                result = (result >> 1) + bit;
            }
            else
            {
                result >>= 1;
            }
            bit >>= 2;
        }
        return (uint)result;
    }

    /// <summary>Straight-line distance in millimetres between two positions.</summary>
    public static uint Distance(in PlayerState a, in PlayerState b)
    {
        long dx = a.PositionX - (long)b.PositionX;
        long dy = a.PositionY - (long)b.PositionY;
        long dz = a.PositionZ - (long)b.PositionZ;
        return Sqrt((ulong)(dx * dx) + (ulong)(dy * dy) + (ulong)(dz * dz));
    }

    private static short[] BuildQuarterSine()
    {
        var table = new short[QuarterTurn + 1];
        for (var i = 0; i <= QuarterTurn; i++)
        {
            // x = i * 2π / 65536 radians in Q30; at most π/2, so x * x stays below 2^62.
            var x = i * PiQ30 / 32768;
            var term = x;
            var sum = x;
            for (var k = 1; term != 0; k++)
            {
                term = -(((term * x) >> 30) * x >> 30) / ((2 * k) * (2 * k + 1));
                sum += term;
            }
            table[i] = (short)Math.Min(One, (sum + (1 << 15)) >> 16);
        }
        return table;
    }
}
