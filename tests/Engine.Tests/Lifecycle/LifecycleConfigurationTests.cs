using Engine.Host.Agones;
using Engine.Host.Configuration;
using Engine.Host.Lifecycle;
using Xunit;

namespace Engine.Tests.Lifecycle;

/// <summary>The drain and Agones options come from the command line, the environment and the JSON file like every other.</summary>
public class LifecycleConfigurationTests
{
    private static HostSettings Load(string[] args, Dictionary<string, string?>? environment = null) =>
        ConfigurationLoader.Load(["--insecure", .. args], environment ?? new Dictionary<string, string?>());

    [Fact]
    public void Defaults_drain_for_25_seconds_without_agones()
    {
        var settings = Load([]);
        Assert.Equal(DrainOptions.DefaultTimeoutSeconds, settings.Drain.TimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(25), settings.Drain.Timeout);
        Assert.False(settings.Agones.Enabled);
        Assert.Equal("http://localhost:9358", settings.Agones.SdkAddress);
    }

    [Fact]
    public void The_environment_sets_them_and_the_command_line_wins()
    {
        var environment = new Dictionary<string, string?>
        {
            ["ENGINE_DRAIN_TIMEOUT_SECONDS"] = "600",
            ["ENGINE_AGONES"] = "true",
            ["AGONES_SDK_HTTP_PORT"] = "59358",
        };
        var settings = Load([], environment);
        Assert.Equal(600, settings.Drain.TimeoutSeconds);
        Assert.True(settings.Agones.Enabled);
        Assert.Equal("http://localhost:59358", settings.Agones.SdkAddress);

        settings = Load(["--drain-timeout-seconds", "0", "--agones-sdk-address", "http://127.0.0.1:9400"], environment);
        Assert.Equal(0, settings.Drain.TimeoutSeconds);
        Assert.Equal("http://127.0.0.1:9400", settings.Agones.SdkAddress);
    }

    [Fact]
    public void The_json_file_sets_them()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{ "drain-timeout-seconds": 900, "agones": true, "agones-sdk-address": "http://localhost:9999" }""");
        try
        {
            var settings = Load(["--config", file]);
            Assert.Equal(900, settings.Drain.TimeoutSeconds);
            Assert.True(settings.Agones.Enabled);
            Assert.Equal("http://localhost:9999", settings.Agones.SdkAddress);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("ENGINE_DRAIN_TIMEOUT_SECONDS", "86401", "drain-timeout-seconds: 86401 is out of range")]
    [InlineData("ENGINE_AGONES", "yes", "agones: 'yes' is not true or false")]
    [InlineData("ENGINE_AGONES_SDK_ADDRESS", "http://localhost:9358/v1", "agones-sdk-address: 'http://localhost:9358/v1' is not an http:// address")]
    public void A_bad_value_is_one_clear_error(string variable, string value, string message)
    {
        var error = Assert.Throws<ConfigurationError>(() => Load([], new Dictionary<string, string?> { [variable] = value }));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Agones_port_variable_is_used_only_for_the_default_address()
    {
        Assert.Equal(AgonesOptions.DefaultSdkAddress, AgonesOptions.DefaultAddressFor(null));
        Assert.Equal(AgonesOptions.DefaultSdkAddress, AgonesOptions.DefaultAddressFor(" "));
        Assert.Equal("http://localhost:1234", AgonesOptions.DefaultAddressFor("1234"));
    }
}
