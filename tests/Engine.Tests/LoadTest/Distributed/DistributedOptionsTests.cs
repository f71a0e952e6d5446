using Engine.LoadTest.Distributed;
using Xunit;

namespace Engine.Tests.LoadTest.Distributed;

/// <summary>Bad command lines for the coordinator and the agent: one message, exit code 2, before any network.</summary>
public sealed class DistributedOptionsTests
{
    [Theory]
    [InlineData("--agents", "2")] // no --nats
    [InlineData("--nats", "nats://127.0.0.1:1")] // no --agents
    [InlineData("--nats", "http://127.0.0.1:4222", "--agents", "2")]
    [InlineData("--nats", "nats://127.0.0.1:1", "--agents", "2", "hostile")]
    [InlineData("--nats", "nats://127.0.0.1:1", "--agents", "2", "overload")]
    [InlineData("--nats", "nats://127.0.0.1:1", "--agents", "5", "--players", "4")]
    [InlineData("--nats", "nats://127.0.0.1:1", "--agents", "2", "--players", "many")]
    public void TheCoordinatorRefusesABadCommandLine(params string[] args) => Assert.Equal(2, Coordinator.Run(args));

    [Theory]
    [InlineData("--name", "a")]
    [InlineData("--nats", "nats://127.0.0.1:1", "--players", "400")] // the run's options come from the coordinator
    public void TheAgentRefusesABadCommandLine(params string[] args) => Assert.Equal(2, Agent.Run(args));

    [Fact]
    public void NamesBecomeOneSubjectToken() => Assert.Equal("load-box-1_a", Subjects.Token("load.box 1_a"));

    [Fact]
    public void AnAgentWithNoNatsToReachFailsWithExitCode1() => Assert.Equal(1, Agent.Run(["--nats", "nats://127.0.0.1:1"]));
}
