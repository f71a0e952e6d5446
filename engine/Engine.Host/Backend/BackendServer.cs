using System.Net.Sockets;
using Engine.Fleet.Placement;
using Engine.Fleet.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Backend;

/// <summary>
/// The backend's HTTP service: Kestrel from ASP.NET Core's slim builder, handlers as plain request
/// delegates with source-generated JSON (native-AOT safe), every /v1 request behind the bearer key.
/// </summary>
internal sealed class BackendServer : IDisposable
{
    private readonly WebApplication _app;
    private readonly RedisDirectory _directory;
    private readonly FleetView _view;

    private BackendServer(WebApplication app, RedisDirectory directory, FleetView view, string address)
    {
        _app = app;
        _directory = directory;
        _view = view;
        Address = address;
    }

    /// <summary>The address Kestrel bound, e.g. http://127.0.0.1:8080.</summary>
    public string Address { get; }

    public FleetView View => _view;

    /// <summary>Connects to the directory (in the background), starts reading it and starts serving; throws <see cref="BackendStartException"/> when it cannot listen.</summary>
    public static BackendServer Start(BackendOptions options, ILoggerFactory loggerFactory, TimeSpan? viewInterval = null)
    {
        var logger = loggerFactory.CreateLogger("Engine.Backend");
        var directory = RedisDirectory.Connect(options.Directory);
        var view = new FleetView(directory, viewInterval ?? TimeSpan.FromMilliseconds(250), loggerFactory.CreateLogger("Engine.Fleet"));
        view.Start();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.Http);
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        var app = builder.Build();

        var api = new BackendApi(options, view, new Matchmaker(new PendingSeats(PendingSeats.DefaultWindowMs)), logger);
        var key = new BearerKey(options.ApiKey);
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1") && !key.Admits(context.Request))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await BackendApi.Error(context, StatusCodes.Status401Unauthorized, "missing or wrong bearer key (Authorization: Bearer KEY)");
                return;
            }
            await next(context);
        });
        app.MapPost("/v1/matchmake", (RequestDelegate)api.Matchmake);
        app.MapGet("/v1/rooms", (RequestDelegate)api.Rooms);
        app.MapPost("/v1/rooms/{id}/join", (RequestDelegate)api.Join);
        app.MapGet("/v1/nodes", (RequestDelegate)api.Nodes);
        app.MapPost("/v1/nodes/{id}/resume", (RequestDelegate)api.Resume);
        app.MapGet("/healthz", (RequestDelegate)(context => context.Response.WriteAsync("ok\n")));

        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            ((IDisposable)app).Dispose();
            view.Dispose();
            directory.Dispose();
            throw new BackendStartException($"cannot listen on {options.Http}: {ex.GetBaseException().Message} (choose another --http)");
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{options.Http}";
        BackendLog.Listening(logger, address, options.Directory.ToString());
        return new BackendServer(app, directory, view, address);
    }

    public void Dispose()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
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
        _view.Dispose();
        _directory.Dispose();
    }

    private sealed class NoSignalsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The backend could not listen: a runtime failure (exit code 1).</summary>
internal sealed class BackendStartException(string message) : Exception(message);
