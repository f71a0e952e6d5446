using Engine.Host.Configuration;
using Xunit;

namespace Engine.Tests.Fleet;

/// <summary>The fleet's node options come from the command line, ENGINE_* variables and the JSON file like every other option.</summary>
public class FleetOptionsTests
{
    private static readonly Dictionary<string, string?> s_insecure = new() { ["ENGINE_INSECURE"] = "true" };

    [Fact]
    public void The_directory_and_its_options_are_read_from_the_command_line_the_environment_and_the_json_file()
    {
        var fromArgs = ConfigurationLoader.Load(["--bind", "127.0.0.1", "--directory", "redis://:secret@10.0.0.2:6380/3", "--node-id", "pod-7",
            "--node-labels", "region=eu-west, zone=b", "--game-mode", "racing", "--directory-ttl-ms", "4000"], s_insecure);
        var fleet = fromArgs.Fleet;
        Assert.True(fleet.IsEnabled);
        Assert.Equal(("10.0.0.2", 6380, 3, "secret"), (fleet.Address!.Host, fleet.Address.Port, fleet.Address.Database, fleet.Address.Password));
        Assert.Equal("redis://10.0.0.2:6380/3", fleet.Address.ToString()); // no password in logs
        Assert.Equal(("pod-7", "racing", 4000), (fleet.NodeId, fleet.GameMode, fleet.DirectoryTtlMs));
        Assert.Equal(new Dictionary<string, string> { ["region"] = "eu-west", ["zone"] = "b" }, fleet.Labels);

        var fromEnvironment = ConfigurationLoader.Load(["--bind", "127.0.0.1"],
            new Dictionary<string, string?>(s_insecure) { ["ENGINE_DIRECTORY"] = "redis://127.0.0.1", ["ENGINE_NODE_LABELS"] = "region=us" });
        Assert.Equal(6379, fromEnvironment.Fleet.Address!.Port);
        Assert.Equal("us", fromEnvironment.Fleet.Labels["region"]);

        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"bind": "127.0.0.1", "directory": "redis://127.0.0.1:7000", "node-id": "from-file", "directory-ttl-ms": 2500}""");
            var fromFile = ConfigurationLoader.Load(["--config", file], s_insecure).Fleet;
            Assert.Equal((7000, "from-file", 2500), (fromFile.Address!.Port, fromFile.NodeId, fromFile.DirectoryTtlMs));
        }
        finally
        {
            File.Delete(file);
        }

        Assert.False(ConfigurationLoader.Load(["--bind", "127.0.0.1"], s_insecure).Fleet.IsEnabled);
    }

    [Theory]
    [InlineData("directory: 'redis://127.0.0.1:6379/99': the path must be a database number", "--bind", "127.0.0.1", "--directory", "redis://127.0.0.1:6379/99")]
    [InlineData("node-id: 'a b' must be", "--bind", "127.0.0.1", "--directory", "redis://127.0.0.1", "--node-id", "a b")]
    [InlineData("directory-ttl-ms: 100 is out of range", "--bind", "127.0.0.1", "--directory", "redis://127.0.0.1", "--directory-ttl-ms", "100")]
    [InlineData("directory-ttl-ms: 'soon' is not a whole number", "--bind", "127.0.0.1", "--directory", "redis://127.0.0.1", "--directory-ttl-ms", "soon")]
    [InlineData("public-address: a node in a fleet", "--bind", "::", "--directory", "redis://127.0.0.1")]
    public void Bad_fleet_options_are_refused_with_a_message_naming_the_option(string message, params string[] args)
    {
        var error = Assert.Throws<ConfigurationError>(() => ConfigurationLoader.Load(args, s_insecure));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_public_address_lets_a_wildcard_node_join_a_fleet() =>
        Assert.True(ConfigurationLoader.Load(["--bind", "::", "--public-address", "10.0.0.5:7777", "--directory", "redis://127.0.0.1"], s_insecure).Fleet.IsEnabled);
}
