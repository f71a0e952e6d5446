using Engine.Host.Lifecycle;
using Engine.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engine.Tests.Lifecycle;

/// <summary>The lifecycle the host builds around a game server, for in-process tests.</summary>
internal static class TestLifecycle
{
    public static NodeLifecycle For(GameServer server, TimeSpan? drainTimeout = null, TimeProvider? time = null) =>
        new(drainTimeout ?? TimeSpan.FromSeconds(30), () => server.PlayersInRooms, server.StartDraining, time ?? TimeProvider.System, NullLogger.Instance);
}

/// <summary>A clock that moves only when the test says.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
