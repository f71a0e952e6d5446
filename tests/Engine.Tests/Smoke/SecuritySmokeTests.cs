using System.Security.Cryptography;
using Engine.Client;
using Engine.Protocol.Handshake;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Smoke;

/// <summary>The AOT binary's security modes: a key is required unless --insecure, and `engine token` issues tokens it accepts.</summary>
public class SecuritySmokeTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private static readonly Dictionary<string, string> s_noSecurityDefault = new() { ["ENGINE_ADMIN_PORT"] = "0" };

    [Fact]
    public void Without_a_key_or_insecure_the_binary_exits_2_with_one_line()
    {
        using var engine = EngineProcess.Start(["--bind", "127.0.0.1", "--port", EngineProcess.FreeUdpPort().ToString()], s_noSecurityDefault);
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(2, engine.ExitCode);
        Assert.Contains("token-key: no key configured", engine.Error);
        Assert.Contains("--insecure", engine.Error);
        Assert.Single(engine.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--token-key", "abcd", "token-key: the key must be 32 bytes")]
    [InlineData("--token-key", "zz00000000000000000000000000000000000000000000000000000000000000", "token-key: the key must be 32 bytes")]
    [InlineData("--token-key-file", "/nonexistent/engine.key", "token-key-file: cannot read")]
    [InlineData("--public-address", "127.0.0.1", "public-address: '127.0.0.1' is not an address with a port")]
    public void A_bad_key_or_public_address_exits_2_with_one_line(string option, string value, string message) =>
        EngineProcess.AssertRefusedConfiguration(message, option, value);

    [Fact]
    public void A_token_from_engine_token_lets_a_client_connect_to_the_binary_started_with_that_key()
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var port = EngineProcess.FreeUdpPort();
        using var issue = EngineProcess.Start(["token", "--key", key, "--player-id", "4242", "--server", $"127.0.0.1:{port}", "--expires-in", "60"], s_noSecurityDefault);
        Assert.True(issue.WaitForExit(s_timeout));
        Assert.True(issue.ExitCode == 0, issue.Error);
        var text = issue.Output.Trim();
        Assert.True(ConnectToken.TryParse(text, out var token), text);
        Assert.Equal(4242UL, token!.PlayerId);

        using var engine = EngineProcess.Start(["--bind", "127.0.0.1", "--port", port.ToString(), "--echo", "--stats-interval-seconds", "0"],
            new Dictionary<string, string> { ["ENGINE_TOKEN_KEY"] = key });
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + port, s_timeout), engine.Output + engine.Error);
        using var client = new EngineClient();
        client.Connect(text);
        Assert.True(client.WaitUntilConnected(s_timeout), $"{client.DisconnectReason} {client.RejectReason}");
        Assert.True(client.Connection.Session!.IsSealed);
        var echoed = 0;
        client.MessageReceived += payload => echoed += payload.SequenceEqual("sealed"u8) ? 1 : 0;
        client.Send("sealed"u8);
        var deadline = DateTime.UtcNow + s_timeout;
        while (echoed == 0 && DateTime.UtcNow < deadline)
        {
            client.Update();
            Thread.Sleep(5);
        }
        Assert.Equal(1, echoed);

        // The same token a second time (a new attempt, so new hello nonce) is refused: tokens are single-use.
        using var second = new EngineClient();
        second.Connect(text);
        Assert.False(second.WaitUntilConnected(s_timeout));
        Assert.Equal(RejectReason.TokenRefused, second.RejectReason);
    }

    [Fact]
    public void Engine_token_refuses_bad_arguments_with_one_line_and_exit_2()
    {
        using var engine = EngineProcess.Start(["token", "--key", "00", "--player-id", "1", "--server", "127.0.0.1:7777"], s_noSecurityDefault);
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(2, engine.ExitCode);
        Assert.Single(engine.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(engine.Output.Trim());
    }
}
