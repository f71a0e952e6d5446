using System.Globalization;

namespace Engine.Benchmarks.PingPong;

/// <summary>perf/echo-c/echo.c: recvmmsg/sendmmsg echo, the floor. It does not allocate per message.</summary>
internal sealed class CEchoServerProcess(string binary, int port)
    : ServerProcess(binary, ["127.0.0.1", port.ToString(CultureInfo.InvariantCulture)], redirectInput: false)
{
    public override long? ReadAllocatedBytes(TimeSpan timeout) => null;
}
