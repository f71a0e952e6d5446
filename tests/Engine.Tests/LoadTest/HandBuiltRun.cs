using Engine.LoadTest;
using Engine.LoadTest.Metrics;

namespace Engine.Tests.LoadTest;

/// <summary>A run's result built by hand for the report's tests: a 2-core test machine, a server it started, nothing measured.</summary>
internal static class HandBuiltRun
{
    public static RunResult Of(LoadTestOptions options, SocketLayout? layout = null) => new()
    {
        Options = options,
        Machine = new MachineInfo(2, "Test CPU", "6.1", "Linux", 4096, ".NET"),
        LoadAverageAtStart = "0.10 0.20 0.30",
        StartedUtc = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        ServerEndPoint = "127.0.0.1:7777",
        ServerStarted = true,
        ServerArguments = ["--port", "7777"],
        ClientSockets = "8 sockets",
        Seconds = [],
        Server = [],
        SocketLayout = layout ?? SocketLayout.Of(options),
    };
}
