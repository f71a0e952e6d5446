using Engine.LoadTest;
using Engine.LoadTest.Distributed;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Reports;
using Engine.LoadTest.Reports.Perf;

// The load-test swarm: simulated players against the engine, one report folder per run.
// `loadtest fold-perf ...` instead folds benchmark and ping-pong results into a report folder.
if (args.Length > 0 && args[0] == "fold-perf")
{
    return PerfFold.Run(args[1..]);
}
// A swarm spread over machines: `loadtest coordinator ...` and `loadtest agent ...` over NATS.
if (args.Length > 0 && args[0] is "coordinator" or "agent")
{
    return args[0] == "coordinator" ? Coordinator.Run(args[1..]) : Agent.Run(args[1..]);
}
LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"loadtest: {e.Message}");
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}
try
{
    var result = new Runner(options).Run();
    var directory = ReportWriter.Write(result);
    Console.WriteLine();
    Console.WriteLine(ReportWriter.ConsoleSummary(result));
    Console.WriteLine($"loadtest: report in {directory}/report.html (report.md, summary.json, timeseries.csv); {Path.Combine(options.ReportsDirectory, "latest")} points at it");
    return result.Interrupted ? 130 : 0;
}
catch (UsageException e)
{
    Console.Error.WriteLine($"loadtest: {e.Message}");
    return 2;
}
catch (Exception e)
{
    EngineServer.KillIfRunning();
    Console.Error.WriteLine($"loadtest: failed: {e}");
    return 1;
}
