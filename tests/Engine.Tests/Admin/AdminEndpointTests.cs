using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Engine.Client;
using Engine.Tests.Server;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>The admin HTTP endpoint of the published native-AOT binary: /metrics, /healthz, /readyz.</summary>
public class AdminEndpointTests
{
    private const int SigTerm = 15;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Serves_prometheus_metrics_that_grow_with_traffic_and_health_and_readiness()
    {
        var udpPort = EngineProcess.FreeUdpPort();
        var adminPort = AdminHttp.FreeTcpPort();
        // The client is still in its room at SIGTERM: no drain, so the stop is prompt.
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", udpPort.ToString(), "--shards", "2", "--echo",
            "--ping-interval-ms", "100", "--stats-interval-seconds", "0", "--admin-port", adminPort.ToString(), "--drain-timeout-seconds", "0");
        var admin = $"http://127.0.0.1:{adminPort}";
        Assert.True(engine.WaitForOutput($"admin endpoint on {admin} (/metrics, /healthz, /readyz)", s_timeout), engine.Output + engine.Error);

        var health = AdminHttp.Get(admin + "/healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        var ready = AdminHttp.Get(admin + "/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.Status);

        var first = AdminHttp.Get(admin + "/metrics");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", first.ContentType);
        var before = PrometheusText.Parse(first.Body);
        Assert.Equal("counter", before.TypeOf("engine_packets_received_total"));
        Assert.Equal(2, before.Series("engine_packets_received_total").Count());
        Assert.Equal("gauge", before.TypeOf("engine_sessions"));
        Assert.Equal("histogram", before.TypeOf("engine_tick_duration_seconds"));
        Assert.Equal("counter", before.TypeOf("process_cpu_seconds_total"));
        Assert.True(before.Sum("process_resident_memory_bytes") > 1_000_000, first.Body);
        Assert.True(before.Sum("dotnet_gc_allocated_bytes_total") > 0);
        Assert.True(before.Sum("process_virtual_memory_bytes") > before.Sum("process_resident_memory_bytes"));
        Assert.True(before.Sum("process_threads") >= 3, "main, two shards"); // and the runtime's own
        Assert.True(before.Sum("process_open_fds") >= 3);
        Assert.True(before.Sum("process_cpu_seconds_total") > 0);
        var started = DateTimeOffset.FromUnixTimeMilliseconds((long)(before.Sum("process_start_time_seconds") * 1000));
        Assert.InRange(started, engine.StartedAt.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(0, before.Sum("engine_sessions"));

        // A client connects, pings, joins a room (so ticks run and snapshots go out) and is echoed.
        using var client = new EngineClient();
        client.Connect(new IPEndPoint(IPAddress.Loopback, udpPort));
        Assert.True(client.WaitUntilConnected(s_timeout), $"state {client.State}");
        var match = client.QuickMatch();
        Assert.True(TestServer.PumpUntil([client], () => match.IsCompleted, s_timeout));
        Assert.True((await match).Succeeded); // already complete: Update delivered the answer
        using (var stray = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            stray.Send([0x10], new IPEndPoint(IPAddress.Loopback, udpPort)); // dropped as too_short: the drop counter has a series
        }
        var echoed = false;
        client.MessageReceived += payload => echoed |= payload.SequenceEqual("count me"u8);
        client.Send("count me"u8);
        Assert.True(TestServer.PumpUntil([client], () => echoed && client.Ping > TimeSpan.Zero, s_timeout));
        PrometheusText after = before;
        Assert.True(TestServer.PumpUntil([client], () =>
        {
            after = PrometheusText.Parse(AdminHttp.Get(admin + "/metrics").Body);
            return after.Sum("engine_tick_duration_seconds_count") >= 10 && after.Sum("engine_snapshot_size_bytes_count") >= 2
                && after.Sum("engine_rtt_seconds_count") >= 1;
        }, s_timeout), "no ticks or snapshots counted");

        Assert.True(after.Sum("engine_packets_received_total") >= before.Sum("engine_packets_received_total") + 3);
        Assert.True(after.Sum("engine_packets_sent_total") >= before.Sum("engine_packets_sent_total") + 3);
        Assert.True(after.Sum("engine_bytes_received_total") > before.Sum("engine_bytes_received_total"));
        Assert.Equal(1, after.Sum("engine_sessions"));
        Assert.True(after.Sum("engine_handshakes_total", "stage=\"welcome\"") >= 1);
        Assert.Equal(1, after.Sum("engine_rooms"));
        Assert.Equal("gauge", after.TypeOf("engine_rooms"));
        Assert.Equal(2, after.Series("engine_rooms").Count(s => s.Labels.StartsWith("shard=", StringComparison.Ordinal))); // one series per shard
        Assert.True(after.Sum("engine_snapshot_size_bytes_sum") > after.Sum("engine_snapshot_size_bytes_count"));
        Assert.Equal("histogram", after.TypeOf("engine_snapshot_size_bytes"));
        Assert.Equal("histogram", after.TypeOf("engine_rtt_seconds"));
        Assert.Equal(after.Sum("engine_snapshot_size_bytes_count"), after.Sum("engine_snapshot_size_bytes_bucket", "le=\"+Inf\""));
        Assert.True(after.Sum("engine_tick_duration_quantile_seconds", "quantile=\"0.99\"") > 0, "the meter's recent tick quantiles");

        // The tick histogram is cumulative: non-decreasing buckets ending in +Inf == _count, per shard.
        foreach (var shard in new[] { "0", "1" })
        {
            var buckets = after.Series("engine_tick_duration_seconds_bucket").Where(s => s.Labels.Contains($"shard=\"{shard}\"")).ToList();
            Assert.Equal(15, buckets.Count);
            Assert.Contains("le=\"+Inf\"", buckets[^1].Labels);
            for (var i = 1; i < buckets.Count; i++)
            {
                Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"bucket {buckets[i].Labels} < {buckets[i - 1].Labels}");
            }
            Assert.Equal(after.Sum("engine_tick_duration_seconds_count", $"shard=\"{shard}\""), buckets[^1].Value);
        }
        Assert.True(after.Sum("engine_tick_duration_seconds_sum") > 0);

        // docs/OPERATIONS.md lists every family a scrape serves, and nothing a scrape does not.
        Assert.True(after.Sum("engine_packets_dropped_total", "reason=\"too_short\"") >= 1);
        var documented = DocumentedMetricNames();
        Assert.Empty(after.Families.Except(documented));
        // The directory's families are served only by a node in a fleet (--directory); this server is not.
        var onlyInFleets = documented.Where(name => name.StartsWith("engine_directory_", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, onlyInFleets.Count);
        Assert.Empty(documented.Except(after.Families).Except(onlyInFleets));

        var stopwatch = Stopwatch.StartNew();
        engine.Signal(SigTerm);
        Assert.True(engine.WaitForExit(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, engine.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.Elapsed}");
        Assert.Throws<HttpRequestException>(() => AdminHttp.Get(admin + "/healthz"));
    }

    /// <summary>The Prometheus names in the first column of the tables under docs/OPERATIONS.md's "Metrics" section.</summary>
    private static HashSet<string> DocumentedMetricNames()
    {
        var names = new HashSet<string>();
        var inMetrics = false;
        foreach (var line in File.ReadLines(RepositoryPaths.Of("docs/OPERATIONS.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                inMetrics = line == "## Metrics";
            }
            else if (inMetrics && line.StartsWith("| `", StringComparison.Ordinal))
            {
                var name = line[3..line.IndexOf('`', 3)];
                if (name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
                {
                    names.Add(name);
                }
            }
        }
        Assert.True(names.Count > 20, $"only {names.Count} metric names found in docs/OPERATIONS.md");
        return names;
    }

    [Fact]
    public void An_admin_port_in_use_exits_1_with_one_clear_message()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var adminPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", EngineProcess.FreeUdpPort().ToString(),
            "--stats-interval-seconds", "0", "--admin-port", adminPort.ToString());
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(1, engine.ExitCode);
        var critical = engine.Output.Split('\n').Where(l => l.Contains("crit:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(critical);
        Assert.Contains($"cannot start: admin endpoint: cannot listen on 127.0.0.1:{adminPort}: the address is already in use", line);
        Assert.DoesNotContain("fail:", engine.Output);
        Assert.Empty(engine.Error);
    }

    [Theory]
    [InlineData("--admin-port", "70000", "admin-port: 70000 is out of range (0..65535; 0 turns the admin endpoint off)")]
    [InlineData("--admin-port", "-1", "admin-port: -1 is out of range")]
    [InlineData("--admin-port", "web", "admin-port: 'web' is not a whole number")]
    [InlineData("--admin-bind", "localhost", "admin-bind: 'localhost' is not an IP address")]
    public void A_bad_admin_option_exits_2_with_one_clear_message(string option, string value, string message)
    {
        EngineProcess.AssertRefusedConfiguration(message, option, value);
    }

    [Fact]
    public void Admin_port_0_turns_the_endpoint_off()
    {
        var udpPort = EngineProcess.FreeUdpPort();
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", udpPort.ToString(), "--stats-interval-seconds", "0", "--admin-port", "0");
        Assert.True(engine.WaitForOutput("listening on 127.0.0.1:" + udpPort, s_timeout), engine.Output + engine.Error);
        Thread.Sleep(300);
        Assert.DoesNotContain("admin endpoint", engine.Output);
        engine.Signal(SigTerm);
        Assert.True(engine.WaitForExit(s_timeout));
        Assert.Equal(0, engine.ExitCode);
    }
}
