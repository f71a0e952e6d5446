using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using Engine.Host.Admin;
using Engine.Host.Agones;
using Engine.Host.Configuration;
using Engine.Host.Fleet;
using Engine.Host.Lifecycle;
using Engine.Server;
using Engine.Server.Diagnostics;
using Engine.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Engine.Host;

/// <summary>The `engine` executable: configuration, logging, signals, the stats line and the admin endpoint around a <see cref="GameServer"/>.</summary>
internal static class EngineHost
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitBadConfiguration = 2;

    // Raw signal number: PosixSignal has no named member for it.
    private const int SigUsr1 = 10;

    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.Out.WriteLine(OptionTable.Help());
            return ExitOk;
        }
        HostSettings settings;
        try
        {
            settings = ConfigurationLoader.Load(args);
        }
        catch (ConfigurationError error)
        {
            foreach (var line in error.Message.Split(Environment.NewLine))
            {
                Console.Error.WriteLine($"engine: {line}");
            }
            return ExitBadConfiguration;
        }

        using var loggerFactory = CreateLoggerFactory(settings);
        var logger = loggerFactory.CreateLogger("Engine");
        if (!TransportPlatform.IsSupported)
        {
            HostLog.CannotStart(logger, $"Engine's transport needs Linux; this is {TransportPlatform.Description}");
            return ExitFailure;
        }

        using var server = new GameServer(settings.Server, loggerFactory);
        try
        {
            server.Start();
        }
        catch (TransportException ex)
        {
            HostLog.CannotStart(logger, ex.Message);
            return ExitFailure;
        }

        using var lifecycle = new NodeLifecycle(settings.Drain.Timeout, () => server.PlayersInRooms, server.StartDraining, TimeProvider.System, logger);
        using var statsNow = new AutoResetEvent(false);
        // SIGTERM (orchestrators, systemd) drains; a second one stops at once. SIGINT (Ctrl-C) stops at once.
        var terminations = 0;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            if (Interlocked.Increment(ref terminations) > 1)
            {
                lifecycle.StopNow("received SIGTERM again");
            }
            else if (!lifecycle.BeginDrain("received SIGTERM") && lifecycle.IsDraining)
            {
                HostLog.AlreadyDraining(logger);
            }
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            lifecycle.StopNow("received SIGINT");
        });
        using var sigusr1 = PosixSignalRegistration.Create((PosixSignal)SigUsr1, context =>
        {
            context.Cancel = true;
            statsNow.Set();
        });

        // After the game server listens (its metrics exist and /readyz can say yes), after the
        // signal handlers (a SIGTERM while Kestrel starts is a clean stop), disposed last.
        AdminServer? admin = null;
        if (settings.Admin.IsEnabled)
        {
            try
            {
                admin = AdminServer.Start(IPAddress.Parse(settings.Admin.Bind), settings.Admin.Port, server, lifecycle, loggerFactory);
            }
            catch (AdminStartException ex)
            {
                HostLog.CannotStart(logger, ex.Message);
                return ExitFailure;
            }
            HostLog.AdminListening(logger, admin.Address);
        }
        using var adminScope = admin;

        using var agones = settings.Agones.Enabled ? AgonesLifecycle.Start(settings.Agones, server, lifecycle, loggerFactory) : null;

        // After the server listens (the record names its address); registered as draining while
        // a drain lets rooms play on, so nothing new is placed here; left before the server stops.
        var fleet = settings.Fleet.IsEnabled ? FleetNode.Start(settings.Fleet, server, loggerFactory, () => lifecycle.IsDraining) : null;

        var stats = new StatsReporter(server, lifecycle, logger);
        var interval = settings.Server.StatsIntervalSeconds > 0 ? TimeSpan.FromSeconds(settings.Server.StatsIntervalSeconds) : Timeout.InfiniteTimeSpan;
        var nextStats = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency);
        var exitCode = ExitOk;
        while (lifecycle.State != NodeState.Stopping)
        {
            // Wake for the stats interval, SIGUSR1 or a stop, whichever first; check shard health and the drain.
            var signalled = WaitHandle.WaitAny([lifecycle.StopRequested, statsNow], TimeSpan.FromMilliseconds(200));
            if (server.HasFailedShard)
            {
                HostLog.ShardFailed(logger);
                lifecycle.StopNow("a shard failed");
                exitCode = ExitFailure;
                break;
            }
            lifecycle.Poll();
            if (signalled == 1 || (interval != Timeout.InfiniteTimeSpan && Stopwatch.GetTimestamp() >= nextStats))
            {
                stats.Report();
                nextStats = Stopwatch.GetTimestamp() + (long)(interval.TotalSeconds * Stopwatch.Frequency);
            }
        }
        // Out of the directory first, so the backend sends nobody to a node that is stopping.
        fleet?.Dispose();
        // The admin endpoint stays up meanwhile, so /readyz answers 503 until the shards are done.
        server.Stop(TimeSpan.FromMilliseconds(settings.Server.ShutdownTimeoutMs));
        // Only once the players have been told: Agones deletes the pod after Shutdown.
        agones?.Shutdown();
        return exitCode;
    }

    private static ILoggerFactory CreateLoggerFactory(HostSettings settings) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(Enum.Parse<LogLevel>(settings.LogLevel, ignoreCase: true));
            // The admin endpoint's ASP.NET Core logs only what needs attention; the host logs its
            // address itself, and a failed start once (as "cannot start"), not again as the generic host.
            builder.AddFilter("Microsoft", LogLevel.Warning);
            builder.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
            if (settings.LogFormat == "json")
            {
                builder.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
            }
            else
            {
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }
        });

    /// <summary>Rates since the previous line, from the summed shard counters.</summary>
    private sealed class StatsReporter(GameServer server, NodeLifecycle lifecycle, ILogger logger)
    {
        private ServerStatistics _last;
        private readonly IntervalQuantile _tickWall = new();
        private readonly IntervalQuantile _tickCpu = new();
        private long _lastTimestamp = Stopwatch.GetTimestamp();

        public void Report()
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Math.Max(1e-3, (now - _lastTimestamp) / (double)Stopwatch.Frequency);
            var s = server.GetStatistics();
            var tickMax = server.Histograms.Max(h => h.TickDurationUs.Max);
            HostLog.Stats(logger, s.Sessions, server.RoomCount,
                (long)((s.DatagramsIn - _last.DatagramsIn) / seconds),
                (long)((s.DatagramsOut - _last.DatagramsOut) / seconds),
                (long)((s.BytesIn - _last.BytesIn) / seconds),
                (long)((s.BytesOut - _last.BytesOut) / seconds),
                PerCall(s.DatagramsIn - _last.DatagramsIn, s.ReceiveCalls - _last.ReceiveCalls),
                PerCall(s.DatagramsOut - _last.DatagramsOut, s.SendCalls - _last.SendCalls),
                s.Drops, s.KernelDrops, s.MisroutedSessionPackets,
                _tickWall.P99(server.Histograms.Select(h => h.TickDurationUs)), _tickCpu.P99(server.Histograms.Select(h => h.TickCpuUs)),
                tickMax, GC.GetTotalAllocatedBytes(precise: true),
                s.OverloadLevel,
                s.Sessions == 0 ? 0 : Math.Round((s.SnapshotsSent - _last.SnapshotsSent) / seconds / s.Sessions, 1),
                (long)((s.SnapshotsDeferred - _last.SnapshotsDeferred) / seconds),
                PerSnapshotTick(s.SharedEncodings - _last.SharedEncodings, seconds),
                PerSnapshotTick(s.LoneEncodings - _last.LoneEncodings, seconds),
                (long)((s.OverloadShed - _last.OverloadShed) / seconds),
                lifecycle.State.ToString().ToLowerInvariant());
            _last = s;
            _lastTimestamp = now;
        }

        /// <summary>The p99 of what the shards' histograms recorded since the previous reading: the difference of two readings.</summary>
        private sealed class IntervalQuantile
        {
            private readonly long[] _last = new long[LogLinearHistogram.BucketCount];

            public long P99(IEnumerable<LogLinearHistogram> histograms)
            {
                Span<long> counts = stackalloc long[LogLinearHistogram.BucketCount];
                foreach (var histogram in histograms)
                {
                    histogram.AddCountsTo(counts);
                }
                for (var i = 0; i < counts.Length; i++)
                {
                    (counts[i], _last[i]) = (counts[i] - _last[i], counts[i]);
                }
                return LogLinearHistogram.Quantile(counts, 0.99);
            }
        }

        /// <summary>Encodes per snapshot tick of the whole server (all shards' rooms).</summary>
        private double PerSnapshotTick(long encodes, double seconds) => Math.Round(encodes / seconds / server.Options.SnapshotRate, 1);

        /// <summary>Datagrams per recvmmsg/sendmmsg call: how well the batches fill.</summary>
        private static double PerCall(long datagrams, long calls) => calls == 0 ? 0 : Math.Round((double)datagrams / calls, 1);
    }
}
