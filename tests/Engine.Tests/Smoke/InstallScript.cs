using System.Diagnostics;
using Xunit;

namespace Engine.Tests.Smoke;

/// <summary>
/// Runs one of the repository's ensure-*.sh scripts (a no-op when the Debian package is installed), so
/// a test that needs a real server (prometheus, nats-server) installs it itself; a failure fails the
/// test with the script's words.
/// </summary>
internal static class InstallScript
{
    public static void Run(string relativePath, string package, TimeSpan timeout)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
        {
            directory = directory.Parent;
        }
        Assert.True(directory is not null, "cannot find the repository (Engine.sln) above " + AppContext.BaseDirectory);
        var script = Path.Combine(directory.FullName, relativePath);
        using var process = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"installing {package} took longer than {timeout.TotalSeconds:F0} s");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"cannot install {package} (needed by this test): {error.Result}{output.Result}");
    }
}
