using System.Diagnostics;
using System.Net;
using Engine.Client;
using Engine.Protocol.Sessions;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Smoke;

/// <summary>The published native-AOT binary, as users run it.</summary>
public class EngineBinaryTests
{
    private const int SigTerm = 15;
    private const int SigUsr1 = 10;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public void Starts_serves_a_client_and_exits_cleanly_on_sigterm_within_two_seconds()
    {
        var port = EngineProcess.FreeUdpPort();
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", port.ToString(), "--echo", "--ping-interval-ms", "100", "--stats-interval-seconds", "0");
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + port, s_timeout), engine.Output + engine.Error);

        using var client = new EngineClient();
        client.Connect(new IPEndPoint(IPAddress.Loopback, port));
        Assert.True(client.WaitUntilConnected(s_timeout), $"state {client.State}");
        var echoed = false;
        client.MessageReceived += payload => echoed = payload.SequenceEqual("ping me back"u8);
        client.Send("ping me back"u8);
        Assert.True(TestServer.PumpUntil([client], () => echoed && client.Ping > TimeSpan.Zero, s_timeout));

        engine.Signal(SigUsr1);
        Assert.True(engine.WaitForOutput("stats sessions=1", s_timeout), engine.Output);

        var stopwatch = Stopwatch.StartNew();
        engine.Signal(SigTerm);
        Assert.True(engine.WaitForExit(TimeSpan.FromSeconds(5)));
        stopwatch.Stop();
        Assert.Equal(0, engine.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");

        Assert.True(TestServer.PumpUntil([client], () => !client.IsConnected, s_timeout));
        Assert.Equal(DisconnectReason.ServerShuttingDown, client.DisconnectReason);
    }

    [Theory]
    [InlineData("--port", "70000", "port: 70000 is out of range")]
    [InlineData("--shards", "many", "shards: 'many' is not a whole number")]
    [InlineData("--frobnicate", "1", "unknown option '--frobnicate'")]
    [InlineData("--bind", "not-an-address", "bind: 'not-an-address' is not an IP address")]
    [InlineData("--config", "/nonexistent/engine.json", "does not exist")]
    [InlineData("--snapshot-history-ms", "50", "snapshot-history-ms: 50 is out of range")]
    public void A_bad_argument_exits_2_with_one_clear_message(string option, string value, string message)
    {
        EngineProcess.AssertRefusedConfiguration(message, option, value);
    }

    [Fact]
    public void Help_lists_every_option_with_its_default()
    {
        using var engine = EngineProcess.Start("--help");
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(0, engine.ExitCode);
        foreach (var option in new[] { "--port", "--bind", "--shards", "--config", "--max-payload", "--timeout-ms" })
        {
            Assert.Contains(option, engine.Output);
        }
        Assert.Contains("(default: 7777)", engine.Output);
    }

    [Fact]
    public void Configuration_comes_from_file_environment_and_command_line_in_that_order()
    {
        var file = Path.GetTempFileName();
        var portFromFile = EngineProcess.FreeUdpPort();
        File.WriteAllText(file, $$"""{ "bind": "127.0.0.1", "port": {{portFromFile}}, "shards": 1, "stats-interval-seconds": 0 }""");
        try
        {
            using var engine = EngineProcess.Start("--config", file);
            Assert.True(engine.WaitForOutput($"listening on 127.0.0.1:{portFromFile} with 1 shard(s)", s_timeout), engine.Output + engine.Error);
            engine.Signal(SigTerm);
            Assert.True(engine.WaitForExit(s_timeout));
            Assert.Equal(0, engine.ExitCode);

            using var overridden = EngineProcess.Start("--config", file, "--shards", "2");
            Assert.True(overridden.WaitForOutput("with 2 shard(s)", s_timeout), overridden.Output + overridden.Error);
            overridden.Signal(SigTerm);
            Assert.True(overridden.WaitForExit(s_timeout));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
