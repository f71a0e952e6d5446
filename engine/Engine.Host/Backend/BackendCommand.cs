using System.Runtime.InteropServices;
using Engine.Host.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Engine.Host.Backend;

/// <summary><c>engine backend</c>: runs the fleet's HTTP service until SIGTERM or SIGINT.</summary>
internal static class BackendCommand
{
    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(BackendOptions.Usage);
            return EngineHost.ExitOk;
        }
        BackendOptions options;
        try
        {
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
            options = BackendOptions.Parse(args, environment);
        }
        catch (ConfigurationError error)
        {
            Console.Error.WriteLine($"engine backend: {error.Message}");
            return EngineHost.ExitBadConfiguration;
        }

        using var loggerFactory = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
            builder.AddFilter("Microsoft", LogLevel.Warning);
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        });
        var logger = loggerFactory.CreateLogger("Engine.Backend");
        using var shutdown = new ManualResetEventSlim();
        void OnStop(PosixSignalContext context)
        {
            context.Cancel = true;
            BackendLog.SignalReceived(logger, context.Signal.ToString());
            shutdown.Set();
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop);
        BackendServer server;
        try
        {
            server = BackendServer.Start(options, loggerFactory);
        }
        catch (BackendStartException ex)
        {
            BackendLog.CannotStart(logger, ex.Message);
            return EngineHost.ExitFailure;
        }
        using (server)
        {
            shutdown.Wait();
        }
        return EngineHost.ExitOk;
    }
}
