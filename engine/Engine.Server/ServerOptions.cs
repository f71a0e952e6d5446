using Engine.Protocol.Wire;

namespace Engine.Server;

/// <summary>Everything the server can be told. The host binds it from arguments, environment and a JSON file, then calls <see cref="Validate"/>.</summary>
public sealed class ServerOptions
{
    /// <summary>Address to listen on; "::" listens on IPv6 and IPv4 (dual-stack).</summary>
    public string Bind { get; set; } = "::";
    public int Port { get; set; } = 7777;

    /// <summary>Shard threads; 0 means one per available core.</summary>
    public int Shards { get; set; }

    /// <summary>Pin each shard thread to its own core.</summary>
    public bool PinThreads { get; set; } = true;
    public int ReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;
    public int SendBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Datagrams per recvmmsg/sendmmsg call.</summary>
    public int BatchSize { get; set; } = 64;
    public int MaxPayload { get; set; } = ProtocolConstants.DefaultMaxPayload;
    public int TimeoutMs { get; set; } = 5000;
    public int PingIntervalMs { get; set; } = 1000;
    public int MaxSessions { get; set; } = 65536;

    /// <summary>How often each shard checks timeouts and keep-alives.</summary>
    public int TimerIntervalMs { get; set; } = 20;

    /// <summary>How long shutdown waits for disconnects to go out.</summary>
    public int ShutdownTimeoutMs { get; set; } = 1500;

    /// <summary>Send every application message back to its sender (diagnostics and the ping-pong benchmark).</summary>
    public bool Echo { get; set; }

    /// <summary>Seconds between stats lines; 0 turns them off.</summary>
    public int StatsIntervalSeconds { get; set; } = 10;

    public int EffectiveShards => Shards > 0 ? Shards : Environment.ProcessorCount;

    /// <summary>Every problem with these options, one message each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!System.Net.IPAddress.TryParse(Bind, out _))
        {
            errors.Add($"bind: '{Bind}' is not an IP address (examples: 0.0.0.0, ::, 127.0.0.1)");
        }
        Check(errors, "port", Port, 0, 65535);
        Check(errors, "shards", Shards, 0, 255);
        Check(errors, "receive-buffer-bytes", ReceiveBufferBytes, 64 * 1024, 1 << 30);
        Check(errors, "send-buffer-bytes", SendBufferBytes, 64 * 1024, 1 << 30);
        Check(errors, "batch-size", BatchSize, 1, 1024);
        Check(errors, "max-payload", MaxPayload, ProtocolConstants.MinMaxPayload, ProtocolConstants.MaxDatagram);
        Check(errors, "timeout-ms", TimeoutMs, 100, 600_000);
        Check(errors, "ping-interval-ms", PingIntervalMs, 10, 60_000);
        if (PingIntervalMs >= TimeoutMs)
        {
            errors.Add($"ping-interval-ms: {PingIntervalMs} must be shorter than timeout-ms ({TimeoutMs})");
        }
        Check(errors, "max-sessions", MaxSessions, 1, 10_000_000);
        Check(errors, "timer-interval-ms", TimerIntervalMs, 1, 1000);
        Check(errors, "shutdown-timeout-ms", ShutdownTimeoutMs, 0, 60_000);
        Check(errors, "stats-interval-seconds", StatsIntervalSeconds, 0, 86_400);
        return errors;
    }

    private static void Check(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name}: {value} is out of range ({min}..{max})");
        }
    }
}
