namespace Engine.LoadTest.Overload;

/// <summary>
/// One second of the figures recovery is judged by: snapshots applied per player in a room, input →
/// acknowledgement p99 and the server's tick p99 on CPU. NaN where the second has no value (no input
/// acknowledged, no stats line).
/// </summary>
internal readonly record struct HealthSecond(int Second, double SnapshotsPerPlayer, double AckP99Ms, double TickCpuP99Us);
