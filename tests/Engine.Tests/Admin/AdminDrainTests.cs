using System.Net;
using Engine.Host.Admin;
using Engine.Host.Lifecycle;
using Engine.Tests.Lifecycle;
using Engine.Tests.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>POST /admin/drain and what the endpoint reports while the node drains, in-process.</summary>
public class AdminDrainTests
{
    [Fact]
    public void Post_admin_drain_drains_the_node_and_readyz_and_metrics_say_so()
    {
        using var server = new TestServer();
        using var lifecycle = TestLifecycle.For(server.Server, TimeSpan.FromSeconds(40));
        using var admin = AdminServer.Start(IPAddress.Loopback, 0, server.Server, lifecycle, NullLoggerFactory.Instance);
        Assert.Equal("ready\n", AdminHttp.Get(admin.Address + "/readyz").Body);
        Assert.Contains("\nengine_draining 0\n", AdminHttp.Get(admin.Address + "/metrics").Body);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, AdminHttp.Get(admin.Address + "/admin/drain").Status);

        var first = AdminHttp.Post(admin.Address + "/admin/drain");
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Equal("draining: 0 player(s) in rooms; stopping when they have left or in 40 s\n", first.Body);
        Assert.True(lifecycle.IsDraining);
        Assert.True(server.Server.IsDraining);

        var ready = AdminHttp.Get(admin.Address + "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("draining\n", ready.Body);
        Assert.Equal(HttpStatusCode.OK, AdminHttp.Get(admin.Address + "/healthz").Status);
        Assert.Contains("\nengine_draining 1\n", AdminHttp.Get(admin.Address + "/metrics").Body);

        var again = AdminHttp.Post(admin.Address + "/admin/drain");
        Assert.Equal(HttpStatusCode.Accepted, again.Status);
        Assert.StartsWith("draining already: ", again.Body);

        lifecycle.StopNow("test");
        Assert.Equal(HttpStatusCode.Conflict, AdminHttp.Post(admin.Address + "/admin/drain").Status);
        Assert.Equal("shutting down\n", AdminHttp.Get(admin.Address + "/readyz").Body);
    }

    [Fact]
    public async Task A_drain_asked_from_another_host_is_refused_and_changes_nothing()
    {
        using var server = new TestServer();
        using var lifecycle = TestLifecycle.For(server.Server);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        context.Response.Body = new MemoryStream();

        await AdminActions.Drain(context, lifecycle, server.Server);

        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Equal(NodeState.Running, lifecycle.State);
        Assert.False(server.Server.IsDraining);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.7", false)]
    [InlineData("::ffff:10.0.0.7", false)]
    [InlineData("fe80::1", false)]
    public void Only_loopback_peers_may_act(string address, bool allowed)
    {
        Assert.Equal(allowed, AdminActions.IsLoopback(IPAddress.Parse(address)));
    }
}
