namespace Engine.LoadTest;

/// <summary>
/// Soak: after every player left, what the server still held once it closed everything or the
/// bounded wait ran out. -1 where the admin endpoint did not answer.
/// </summary>
internal sealed record LeakCheck(long Sessions, long Rooms, long DirectoryRooms, double WaitedSeconds, bool Settled, int StartSecond);
