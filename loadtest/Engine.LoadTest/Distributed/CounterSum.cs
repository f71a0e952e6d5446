using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Distributed;

/// <summary>Adds one <see cref="SwarmCounters"/> into another, field by field (it is a plain bag of longs).</summary>
internal static class CounterSum
{
    private static readonly System.Reflection.FieldInfo[] s_fields = typeof(SwarmCounters).GetFields();

    public static void Add(ref SwarmCounters total, SwarmCounters part)
    {
        object boxed = total;
        foreach (var f in s_fields)
        {
            f.SetValue(boxed, (long)f.GetValue(boxed)! + (long)f.GetValue(part)!);
        }
        total = (SwarmCounters)boxed;
    }
}
