using Engine.Benchmarks.PingPong;
using Xunit;

namespace Engine.Tests.PingPong;

/// <summary>The ping-pong's client layouts as its options choose them (nothing is run).</summary>
public sealed class PingPongOptionsTests
{
    [Fact]
    public void By_default_it_runs_one_address_per_client_first_then_four_shared_addresses()
    {
        var o = PingPongOptions.Parse([]);
        Assert.Equal([ClientLayout.PerClient(1000), ClientLayout.Shared(4)], o.Layouts);
        Assert.True(o.Layouts[0].OnePerClient);
        Assert.Equal(1000, o.Layouts[0].Sockets);
        Assert.Equal("per-client", o.Layouts[0].Key);
        Assert.Equal("shared", o.Layouts[1].Key);
    }

    [Fact]
    public void One_address_per_client_follows_the_client_count_wherever_it_is_given()
    {
        var o = PingPongOptions.Parse(["--seconds", "2", "--clients", "200"]);
        Assert.Equal([ClientLayout.PerClient(200), ClientLayout.Shared(4)], o.Layouts);
    }

    [Theory]
    [InlineData(new[] { "--client-sockets", "4" }, 4, false)]
    [InlineData(new[] { "--client-sockets", "1" }, 1, false)]
    [InlineData(new[] { "--client-sockets", "1000" }, 1000, true)]
    [InlineData(new[] { "--client-sockets", "5000", "--clients", "200" }, 200, true)]
    [InlineData(new[] { "--clients", "200", "--client-sockets", "100" }, 100, false)]
    public void Client_sockets_picks_a_single_layout(string[] args, int sockets, bool onePerClient)
    {
        var layout = Assert.Single(PingPongOptions.Parse(args).Layouts);
        Assert.Equal(sockets, layout.Sockets);
        Assert.Equal(onePerClient, layout.OnePerClient);
    }

    [Fact]
    public void With_no_more_clients_than_shared_sockets_the_layouts_are_the_same_and_it_runs_one()
    {
        Assert.Equal([ClientLayout.PerClient(3)], PingPongOptions.Parse(["--clients", "3"]).Layouts);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("many")]
    public void A_bad_socket_count_is_a_usage_error(string value)
    {
        var e = Assert.Throws<UsageException>(() => PingPongOptions.Parse(["--client-sockets", value]));
        Assert.Contains("--client-sockets", e.Message, StringComparison.Ordinal);
    }
}
