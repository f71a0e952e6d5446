using System.Diagnostics;

namespace Engine.Benchmarks.PingPong;

/// <summary>Compiles perf/echo-c/echo.c with cc -O2 into artifacts/echo-c/ at run time.</summary>
internal static class CEchoBuild
{
    public static string Build()
    {
        string root = RepositoryRoot();
        string source = Path.Combine(root, "perf", "echo-c", "echo.c");
        string outDir = Path.Combine(root, "artifacts", "echo-c");
        string binary = Path.Combine(outDir, "echo");
        Directory.CreateDirectory(outDir);
        var psi = new ProcessStartInfo("cc") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "-O2", "-Wall", "-o", binary, source })
            psi.ArgumentList.Add(a);
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start cc");
        Task<string> err = p.StandardError.ReadToEndAsync();
        Task<string> outText = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("cc did not finish within 60 s");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"cc failed ({p.ExitCode}): {outText.Result}{err.Result}");
        return binary;
    }

    private static string RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "perf", "echo-c", "echo.c")))
                    return d.FullName;
            }
        }
        throw new InvalidOperationException("perf/echo-c/echo.c not found above the current or the program directory");
    }
}
