using System.Globalization;

namespace Engine.Transport;

public static class TransportPlatform
{
    /// <summary>Linux on x64 or arm64: the struct layouts and constants of this assembly assume LP64 Linux.</summary>
    public static bool IsSupported { get; } =
        OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>For example "Linux 6.1.0 x64".</summary>
    public static string Description { get; } = Describe();

    /// <summary>
    /// The process's soft limit on open file descriptors (RLIMIT_NOFILE), which bounds how many sockets it can
    /// open; <see cref="long.MaxValue"/> when unlimited. (The .NET runtime raises the soft limit to the hard one
    /// at start.)
    /// </summary>
    public static unsafe long OpenFileLimit()
    {
        Interop.Sys.ResourceLimit limit;
        if (Interop.Sys.GetResourceLimit(Interop.Sys.Resource.OpenFiles, &limit) != 0)
        {
            ThrowHelper.ThrowTransportException("getrlimit(RLIMIT_NOFILE)", Interop.GetLastError());
        }

        return limit.Current > long.MaxValue ? long.MaxValue : (long)limit.Current;
    }

    private static string Describe()
    {
        string os = OperatingSystem.IsLinux() ? "Linux" : RuntimeInformation.OSDescription;
        string architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        Version version = Environment.OSVersion.Version;
        string kernel = string.Create(
            CultureInfo.InvariantCulture,
            $"{version.Major}.{version.Minor}.{Math.Max(version.Build, 0)}");
        return os + " " + kernel + " " + architecture;
    }
}
