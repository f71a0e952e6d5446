using System.Security.Cryptography;

namespace System;

/// <summary>
/// The newer framework methods the protocol calls, for netstandard2.1, as extensions with the same
/// shape, so the call sites read the same on every target.
/// </summary>
internal static class FrameworkExtensions
{
    extension(Array)
    {
        public static void Clear(Array array) => Array.Clear(array, 0, array.Length);
    }

    extension(int)
    {
        public static bool IsPow2(int value) => value > 0 && (value & (value - 1)) == 0;
    }

    extension(TimeSpan)
    {
        public static TimeSpan FromMicroseconds(long microseconds) => TimeSpan.FromTicks(microseconds * (TimeSpan.TicksPerMillisecond / 1000));
    }

    extension(Enum)
    {
        public static string[] GetNames<TEnum>()
            where TEnum : struct, Enum => Enum.GetNames(typeof(TEnum));
    }

    extension(RandomNumberGenerator)
    {
        public static byte[] GetBytes(int count)
        {
            var bytes = new byte[count];
            using var generator = RandomNumberGenerator.Create();
            generator.GetBytes(bytes);
            return bytes;
        }
    }

    extension<T>(ReadOnlySpan<T> span)
        where T : IEquatable<T>
    {
        public bool ContainsAnyExcept(T value)
        {
            foreach (var item in span)
            {
                if (!item.Equals(value))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
