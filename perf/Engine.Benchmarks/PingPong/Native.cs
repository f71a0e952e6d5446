using System.Runtime.InteropServices;

namespace Engine.Benchmarks.PingPong;

/// <summary>The few libc calls the harness needs to drive its child servers.</summary>
internal static partial class Native
{
    public const int SigUsr1 = 10;
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    public static bool Kill(int pid, int signal) => KillNative(pid, signal) == 0;
}
