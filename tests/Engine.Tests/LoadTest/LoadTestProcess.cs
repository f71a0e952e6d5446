using System.Diagnostics;
using System.Text;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>Runs the built `loadtest` executable and finds the report it wrote.</summary>
internal static class LoadTestProcess
{
    /// <summary>The folder reports/latest points at, after checking that its four files exist.</summary>
    public static string LatestReport(string reports)
    {
        var target = new DirectoryInfo(Path.Combine(reports, "latest")).LinkTarget;
        Assert.NotNull(target);
        var run = Path.Combine(reports, target);
        foreach (var file in new[] { "report.md", "report.html", "summary.json", "timeseries.csv" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing in {run}");
        }
        return run;
    }

    public static (int Exit, string Output) Run(params string[] arguments) => RunProgram(LoadTestBinary, arguments);

    /// <summary>Runs <paramref name="program"/> (a shell that sets a limit and execs the loadtest, say) with its output captured.</summary>
    public static (int Exit, string Output) RunProgram(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, "timed out after 120 s:" + Environment.NewLine + output);
        }
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>LOADTEST_BINARY, else the solution build's output next to this test's (same configuration).</summary>
    public static string LoadTestBinary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("LOADTEST_BINARY");
            if (string.IsNullOrEmpty(path))
            {
                var here = new DirectoryInfo(AppContext.BaseDirectory);
                var configuration = here.Name; // artifacts/build/bin/Engine.Tests/<configuration>/
                path = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "Engine.LoadTest", configuration, "loadtest"));
            }
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The loadtest executable is missing at {path}: build Engine.sln (./build.sh test does) or set LOADTEST_BINARY.", path);
            }
            return path;
        }
    }
}
