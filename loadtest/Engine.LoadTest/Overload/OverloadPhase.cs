namespace Engine.LoadTest.Overload;

/// <summary>
/// One phase of the overload scenario, measured as a window of its own: how long it lasts, the
/// players it ends with, and the rate at which players join or leave to get there (0: a hold).
/// </summary>
internal sealed record OverloadPhase(string Name, int Seconds, int Players, double PlayersPerSecond);
