namespace Engine.LoadTest.Metrics;

/// <summary>
/// The engine's GC over a window: collections of each generation (each its own: a full collection
/// counts once, as generation 2), managed allocation per second, and what the GC held at the window's
/// start and end (means of the seconds averaged for RSS), and the most it held beyond the objects
/// alive (<see cref="SlackMaxMb"/>: the young generation's pages and free regions, what RSS can move
/// by around a flat heap). NaN or null where the engine does not export it.
/// </summary>
internal sealed record GcWindow(long? Gen0, long? Gen1, long? Gen2, double AllocatedKbPerSecond,
    double CommittedAfterWarmupMb, double CommittedEndMb, double LiveAfterWarmupMb, double LiveEndMb,
    double OutsideAfterWarmupMb, double OutsideEndMb, double SlackMaxMb);
