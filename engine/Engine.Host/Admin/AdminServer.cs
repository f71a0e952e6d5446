using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Engine.Host.Lifecycle;
using Engine.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Admin;

/// <summary>
/// The admin HTTP endpoint: /metrics (Prometheus text), /healthz, /readyz and POST /admin/drain,
/// served by Kestrel from ASP.NET Core's slim builder (native-AOT safe: no MVC, no reflection-bound
/// handlers). Its threads are the thread pool's, never a shard's.
/// </summary>
internal sealed class AdminServer : IDisposable
{
    private readonly WebApplication _app;
    private readonly PrometheusExporter _exporter;

    private AdminServer(WebApplication app, PrometheusExporter exporter, string address)
    {
        _app = app;
        _exporter = exporter;
        Address = address;
    }

    /// <summary>The address Kestrel actually bound, e.g. http://127.0.0.1:9100.</summary>
    public string Address { get; }

    /// <summary>Binds and starts serving; port 0 picks a free port (tests). Throws <see cref="AdminStartException"/> when it cannot listen.</summary>
    public static AdminServer Start(IPAddress bind, int port, GameServer server, NodeLifecycle lifecycle, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        // Configuration is the engine's (--admin-*); ASPNETCORE_URLS or an appsettings.json in the
        // working directory must not move the endpoint.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(bind, port);
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        // The engine handles SIGTERM/SIGINT itself and stops this server last, so that /readyz
        // says 503 while the game server drains; the default console lifetime would stop it first.
        builder.Services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = StopTimeout);

        var app = builder.Build();
        var exporter = new PrometheusExporter(server);
        app.MapGet("/metrics", (RequestDelegate)(async context =>
        {
            context.Response.ContentType = PrometheusTextWriter.ContentType;
            var (buffer, length) = exporter.ScrapeUtf8();
            try
            {
                context.Response.ContentLength = length;
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }));
        app.MapGet("/healthz", (RequestDelegate)(context =>
            Status(context, !server.HasFailedShard, "ok", "a shard has failed")));
        app.MapGet("/readyz", (RequestDelegate)(context => lifecycle.State switch
        {
            _ when server.LocalEndPoint is null => Status(context, false, "", "starting"),
            NodeState.Running when !server.IsStopping => Status(context, true, "ready", ""),
            NodeState.Draining => Status(context, false, "", "draining"),
            _ => Status(context, false, "", "shutting down"),
        }));
        app.MapPost("/admin/drain", (RequestDelegate)(context => AdminActions.Drain(context, lifecycle, server)));

        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            exporter.Dispose();
            ((IDisposable)app).Dispose();
            var where = new IPEndPoint(bind, port);
            throw new AdminStartException($"admin endpoint: cannot listen on {where}: {Reason(ex)} (choose another --admin-port, or --admin-port 0 to turn it off)");
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{new IPEndPoint(bind, port)}";
        return new AdminServer(app, exporter, address);
    }

    /// <summary>How long stopping may take: it runs after the game server has stopped, inside the 2 s shutdown budget.</summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromMilliseconds(300);

    private static Task Status(HttpContext context, bool ok, string yes, string no)
    {
        context.Response.StatusCode = ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync((ok ? yes : no) + "\n");
    }

    private static string Reason(Exception ex) => ex.GetBaseException() switch
    {
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => "the address is already in use",
        SocketException { SocketErrorCode: SocketError.AccessDenied } => "permission denied",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "the address is not available on this machine",
        var inner => inner.Message,
    };

    public void Dispose()
    {
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                _app.StopAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // Past the budget: the process is exiting anyway.
            }
        }
        ((IDisposable)_app).Dispose();
        _exporter.Dispose();
    }

    private sealed class NoSignalsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The admin endpoint could not listen: a runtime failure (exit code 1), like a taken game port.</summary>
internal sealed class AdminStartException(string message) : Exception(message);
