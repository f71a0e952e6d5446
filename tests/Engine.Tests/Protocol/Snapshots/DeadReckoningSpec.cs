namespace Engine.Tests.Protocol.Snapshots;

/// <summary>
/// docs/PROTOCOL.md's dead-reckoning pseudo-code, transcribed line by line and sharing no code with
/// the engine: if it and <c>SnapshotPrediction</c> agree, a client written from the document agrees
/// with the server. 64-bit integers throughout; <c>/</c> truncates toward zero, <c>&gt;&gt;</c> is
/// arithmetic, as the document says.
/// </summary>
internal static class DeadReckoningSpec
{
    private const long PiQ30 = 3_373_259_426;

    public static readonly long[] Quarter = BuildQuarter();

    /// <summary>One present entity of a frame: the fields dead reckoning reads or writes.</summary>
    public record struct Entity(long X, long Y, long Z, long Vx, long Vy, long Vz, long Yaw, long Flags, long YawRate, long Forward, long Right);

    private static long[] BuildQuarter()
    {
        var quarter = new long[16385];
        for (long i = 0; i <= 16384; i++)
        {
            var x = i * PiQ30 / 32768;
            var term = x;
            var sum = x;
            for (long k = 1; term != 0; k++)
            {
                term = -((((term * x) >> 30) * x) >> 30) / ((2 * k) * (2 * k + 1));
                sum += term;
            }
            quarter[i] = Math.Min(16384, (sum + 32768) >> 16);
        }
        return quarter;
    }

    public static long Sin(long a)
    {
        var i = a & 16383;
        return (a >> 14) switch
        {
            0 => Quarter[i],
            1 => Quarter[16384 - i],
            2 => -Quarter[i],
            _ => -Quarter[16384 - i],
        };
    }

    public static long Cos(long a) => Sin((a + 16384) & 65535);

    public static long ISqrt(long n)
    {
        var r = (long)Math.Sqrt(n);
        while (r * r > n)
        {
            r--;
        }
        while ((r + 1) * (r + 1) <= n)
        {
            r++;
        }
        return r;
    }

    public static (long Vx, long Vz) Walk(long forward, long right, long yaw, long speed)
    {
        forward = Math.Max(forward, -127);
        right = Math.Max(right, -127);
        var l2 = forward * forward + right * right;
        if (l2 > 127 * 127)
        {
            var len = ISqrt(l2);
            if (len * len < l2)
            {
                len++;
            }
            forward = forward * 127 / len;
            right = right * 127 / len;
        }
        var s = Sin(yaw);
        var c = Cos(yaw);
        return (speed * (forward * s + right * c) / (127 * 16384), speed * (forward * c - right * s) / (127 * 16384));
    }

    public static (long P, long V) StopAtWall(long p, long v, long lo, long hi) =>
        p < lo ? (lo, Math.Max(v, 0)) : p > hi ? (hi, Math.Min(v, 0)) : (p, v);

    public static Entity Extrapolate(Entity e, long d, long r)
    {
        if (d == 0 || d > 10000)
        {
            return e;
        }
        if (e.YawRate != 0)
        {
            for (var t = 0; t < d; t++)
            {
                e.Yaw = (e.Yaw + e.YawRate) & 65535;
                var (vx, vz) = Walk(e.Forward, e.Right, e.Yaw, 6000);
                (e.X, e.Vx) = StopAtWall(e.X + vx / r, vx, -50000, 50000);
                (e.Z, e.Vz) = StopAtWall(e.Z + vz / r, vz, -50000, 50000);
            }
        }
        else
        {
            (e.X, e.Vx) = StopAtWall(e.X + d * (e.Vx / r), e.Vx, -50000, 50000);
            (e.Z, e.Vz) = StopAtWall(e.Z + d * (e.Vz / r), e.Vz, -50000, 50000);
        }
        if ((e.Flags & 1) == 0)
        {
            var g = 9810 / r;
            for (var t = 0; t < d; t++)
            {
                e.Vy = Math.Max(e.Vy - g, -50000);
                e.Y += e.Vy / r;
                if (e.Y <= 0)
                {
                    e.Y = 0;
                    e.Vy = 0;
                    e.Flags |= 1;
                    break;
                }
                if (e.Y >= 20000)
                {
                    e.Y = 20000;
                    e.Vy = Math.Min(e.Vy, 0);
                }
            }
        }
        return e;
    }
}
