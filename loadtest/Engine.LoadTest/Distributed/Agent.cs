using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Engine.LoadTest.Hosting;
using Engine.LoadTest.Metrics;
using Engine.LoadTest.Swarm;
using NATS.Client.Core;

namespace Engine.LoadTest.Distributed;

/// <summary>
/// `loadtest agent`: announces itself on NATS until a coordinator gives it a share, runs that share
/// with the swarm's own <see cref="Runner"/> from the common start, streams every second (counts and
/// HdrHistograms) and a heartbeat, and says when it is done. It stops when the coordinator says so, or
/// by itself when the coordinator falls silent. One agent process runs one share.
/// </summary>
internal sealed class Agent(DistributedOptions distributed)
{
    private static readonly TimeSpan s_beat = TimeSpan.FromMilliseconds(500);
    private readonly Channel<AgentSecond> _outbox = Channel.CreateUnbounded<AgentSecond>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly HistogramTransport _transport = new();
    private long _lastCoordinator = Stopwatch.GetTimestamp();
    private long _lastCpuTicks = -1;
    private long _lastCpuAt;
    private volatile bool _stopAsked;
    private volatile string? _stopReason;
    private volatile int _lastSecond;
    private Runner? _runner;

    public static int Run(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(LoadTestOptions.Usage);
            return 0;
        }
        DistributedOptions distributed;
        try
        {
            distributed = DistributedOptions.Parse(args, coordinator: false);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"loadtest: {e.Message}");
            return 2;
        }
        try
        {
            return new Agent(distributed).RunAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is NatsException or DistributedRunException)
        {
            Console.Error.WriteLine($"loadtest: agent {distributed.Name}: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            EngineServer.KillIfRunning();
            Console.Error.WriteLine($"loadtest: agent {distributed.Name}: failed: {e}");
            return 1;
        }
    }

    private async Task<int> RunAsync()
    {
        var id = distributed.Name;
        await using var nats = new NatsConnection(NatsOpts.Default with { Url = distributed.NatsUrl, Name = $"loadtest-agent-{id}" });
        try
        {
            await nats.ConnectAsync();
        }
        catch (NatsException e)
        {
            throw new DistributedRunException($"cannot reach NATS at {distributed.NatsUrl}: {e.Message}");
        }
        var (share, options, refusal, reply) = await WaitForShare(nats, id);
        if (options is null)
        {
            await reply.ReplyAsync("error: " + refusal);
            Console.Error.WriteLine($"loadtest: agent {id}: refused its share: {refusal}");
            return 2;
        }
        await using var control = await nats.SubscribeCoreAsync<string>(Subjects.Control(share.RunId));
        await reply.ReplyAsync("ok");
        Interlocked.Exchange(ref _lastCoordinator, Stopwatch.GetTimestamp()); // its heartbeat is watched from the share on
        var startAt = DateTimeOffset.FromUnixTimeMilliseconds(share.StartAtUnixMs);
        Console.WriteLine($"loadtest: agent {id}: share {share.Index + 1}/{share.Count}: {share.Players} players, ids {share.FirstPlayerId}.., " +
            $"source address offset {share.SourceAddressOffset}; start at {startAt:HH:mm:ss.fff} UTC");

        using var done = new CancellationTokenSource();
        var listening = Listen(control, done.Token);
        var beating = Beat(nats, share, id, done.Token);
        var publishing = Publish(nats, share, id);
        _runner = new Runner(options) { SecondClosed = OnSecond };
        var wait = startAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }
        _lastCpuTicks = ProcSampler.CpuTicks(_self);
        _lastCpuAt = Stopwatch.GetTimestamp();
        var interrupted = false;
        if (!_stopAsked)
        {
            interrupted = _runner.Run().Interrupted && !_stopAsked;
        }
        _outbox.Writer.Complete();
        await publishing;
        var reason = _stopReason ?? (interrupted ? "interrupted here (Ctrl+C)" : _stopAsked ? null : "its run ended before the coordinator's stop");
        await nats.PublishAsync(Subjects.Done(share.RunId, id), DistributedJson.Bytes(new AgentDone(id, _lastSecond, reason)));
        await nats.PingAsync(); // the done message is on the wire before the connection closes
        await done.CancelAsync();
        await Task.WhenAll(listening, beating);
        Console.WriteLine($"loadtest: agent {id}: done after second {_lastSecond}{(reason is null ? "" : $" ({reason})")}");
        return reason is null ? 0 : 1;
    }

    /// <summary>Says hello once a second until a share comes; its options are parsed here, so a bad share is refused with the reason.</summary>
    private async Task<(AgentShare Share, LoadTestOptions? Options, string? Refusal, NatsMsg<byte[]> Reply)> WaitForShare(NatsConnection nats, string id)
    {
        await using var shares = await nats.SubscribeCoreAsync<byte[]>(Subjects.Share(id));
        var machine = MachineInfo.Read();
        var hello = DistributedJson.Bytes(new AgentHello(id, Environment.MachineName, Environment.ProcessId, machine.Cores, machine.CpuModel));
        Console.WriteLine($"loadtest: agent {id}: waiting for a coordinator on {distributed.NatsUrl}");
        while (true)
        {
            await nats.PublishAsync(Subjects.Hello, hello);
            using var second = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            NatsMsg<byte[]> msg;
            try
            {
                msg = await shares.Msgs.ReadAsync(second.Token);
            }
            catch (OperationCanceledException)
            {
                continue;
            }
            if (DistributedJson.Read<AgentShare>(msg.Data) is not { } share)
            {
                await msg.ReplyAsync("error: the share is not one this agent reads");
                continue;
            }
            try
            {
                return (share, LoadTestOptions.Parse(share.Arguments), null, msg);
            }
            catch (UsageException e)
            {
                return (share, null, e.Message, msg);
            }
        }
    }

    /// <summary>The coordinator's heartbeat and stop.</summary>
    private async Task Listen(INatsSub<string> control, CancellationToken cancel)
    {
        try
        {
            await foreach (var msg in control.Msgs.ReadAllAsync(cancel))
            {
                Interlocked.Exchange(ref _lastCoordinator, Stopwatch.GetTimestamp());
                if (msg.Data == "stop" && !_stopAsked)
                {
                    _stopAsked = true;
                    _runner?.Stop();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Our heartbeat, from its own task so that it says the process lives whatever the swarm thread does; and the watch on the coordinator's.</summary>
    private async Task Beat(NatsConnection nats, AgentShare share, string id, CancellationToken cancel)
    {
        var subject = Subjects.Heartbeat(share.RunId, id);
        var timeout = TimeSpan.FromMilliseconds(share.HeartbeatTimeoutMs);
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                await nats.PublishAsync(subject, Array.Empty<byte>(), cancellationToken: cancel);
                if (!_stopAsked && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastCoordinator)) > timeout)
                {
                    _stopReason = $"the coordinator was silent for {timeout.TotalSeconds:0} s";
                    _stopAsked = true;
                    _runner?.Stop();
                    Console.Error.WriteLine($"loadtest: agent {id}: {_stopReason}; stopping");
                }
                await Task.Delay(s_beat, cancel);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task Publish(NatsConnection nats, AgentShare share, string id)
    {
        var subject = Subjects.Second(share.RunId, id);
        await foreach (var second in _outbox.Reader.ReadAllAsync())
        {
            await nats.PublishAsync(subject, DistributedJson.Bytes(second));
        }
    }

    /// <summary>On the swarm thread, once a second: the second, its histograms and this process's CPU and RSS, queued for the publisher.</summary>
    private void OnSecond(SecondSample sample, PlayerSwarm swarm)
    {
        var ticks = ProcSampler.CpuTicks(_self);
        var at = Stopwatch.GetTimestamp();
        var cpu = (ticks - _lastCpuTicks) / ProcSampler.ClockTicksPerSecond / Stopwatch.GetElapsedTime(_lastCpuAt, at).TotalSeconds * 100;
        _lastCpuTicks = ticks;
        _lastCpuAt = at;
        _lastSecond = sample.Second;
        _outbox.Writer.TryWrite(AgentSecond.From(sample, swarm, cpu, ProcSampler.RssKb(_self) / 1024.0, _transport));
    }
}
