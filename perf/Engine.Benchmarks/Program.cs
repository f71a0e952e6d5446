// Entry point of the benchmarks executable. Verbs:
//   bench [BenchmarkDotNet args]       micro-benchmarks of this assembly (BenchmarkSwitcher)
//   pingpong [options]                 side-by-side ping-pong against engine, LiteNetLib and a C floor
//   litenetlib-server --port P         hidden: the LiteNetLib echo server child of pingpong
using BenchmarkDotNet.Running;
using Engine.Benchmarks.PingPong;
using Engine.Benchmarks.PingPong.LiteNet;

namespace Engine.Benchmarks;

internal static class Program
{
    private static int Main(string[] args)
    {
        string verb = args.Length > 0 ? args[0] : "";
        string[] rest = args.Length > 0 ? args[1..] : [];
        try
        {
            switch (verb)
            {
                case "bench":
                    // With no arguments the switcher would ask on the console which to run; run them all.
                    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly)
                        .Run(rest.Length == 0 ? ["--filter", "*"] : rest, BenchmarkConfig.Create());
                    return 0;
                case "pingpong":
                    return PingPongCommand.Run(PingPongOptions.Parse(rest));
                case "litenetlib-server":
                    return LiteNetLibEchoServer.Run(rest);
                default:
                    Console.Error.WriteLine("usage: Engine.Benchmarks bench [BenchmarkDotNet args]");
                    Console.Error.WriteLine("       Engine.Benchmarks pingpong [--engine PATH] [--clients 1000] [--seconds 10] [--warmup 3]");
                    Console.Error.WriteLine("                                  [--payload 32] [--only engine|litenetlib|c] [--shards 1] [--json FILE]");
                    Console.Error.WriteLine("                                  [--client-sockets N (default: one per client, then 4 shared)]");
                    return 2;
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
