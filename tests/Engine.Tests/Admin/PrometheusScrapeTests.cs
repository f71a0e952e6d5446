using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Engine.Client;
using Engine.Tests.Server;
using Engine.Tests.Smoke;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>A real Prometheus (Debian's package, installed when missing) scrapes the AOT binary and answers a query.</summary>
public class PrometheusScrapeTests
{
    private const int SigTerm = 15;

    [Fact]
    public void Prometheus_scrapes_the_engine_and_returns_its_packet_counter()
    {
        var deadline = Stopwatch.StartNew();
        var budget = TimeSpan.FromSeconds(60);
        TimeSpan Left() => budget - deadline.Elapsed > TimeSpan.Zero ? budget - deadline.Elapsed : TimeSpan.Zero;

        EnsurePrometheus(Left());

        var udpPort = EngineProcess.FreeUdpPort();
        var adminPort = AdminHttp.FreeTcpPort();
        using var engine = EngineProcess.Start("--bind", "127.0.0.1", "--port", udpPort.ToString(CultureInfo.InvariantCulture), "--shards", "2",
            "--echo", "--stats-interval-seconds", "0", "--admin-port", adminPort.ToString(CultureInfo.InvariantCulture));
        Assert.True(engine.WaitForOutput("admin endpoint on", Left()), engine.Output + engine.Error);

        // Traffic first, so the counter is not zero; then the client leaves and the counter stands still.
        using (var client = new EngineClient())
        {
            client.Connect(new IPEndPoint(IPAddress.Loopback, udpPort));
            var echoes = 0;
            client.MessageReceived += _ => echoes++;
            Assert.True(client.WaitUntilConnected(Left()), $"state {client.State}");
            for (var i = 0; i < 5; i++)
            {
                client.Send("scrape me"u8);
            }
            Assert.True(TestServer.PumpUntil([client], () => echoes >= 5, Left()));
            client.Disconnect();
            TestServer.PumpUntil([client], () => !client.IsConnected, TimeSpan.FromMilliseconds(200));
        }

        var directory = Directory.CreateTempSubdirectory("engine-prometheus-");
        var prometheusPort = AdminHttp.FreeTcpPort();
        File.WriteAllText(Path.Combine(directory.FullName, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: engine
                static_configs:
                  - targets: ["127.0.0.1:{adminPort}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
        [
            "--config.file=" + Path.Combine(directory.FullName, "prometheus.yml"),
            "--storage.tsdb.path=" + Path.Combine(directory.FullName, "data"),
            "--web.listen-address=127.0.0.1:" + prometheusPort.ToString(CultureInfo.InvariantCulture),
        ])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var prometheusLog = new StringBuilder();
        prometheus.ErrorDataReceived += (_, e) => { lock (prometheusLog) { prometheusLog.AppendLine(e.Data); } };
        prometheus.OutputDataReceived += (_, e) => { lock (prometheusLog) { prometheusLog.AppendLine(e.Data); } };
        prometheus.BeginErrorReadLine();
        prometheus.BeginOutputReadLine();
        try
        {
            var api = $"http://127.0.0.1:{prometheusPort}/api/v1/query?query=engine_packets_received_total";
            double direct = -1, scraped = -2;
            string last = "";
            while (Left() > TimeSpan.Zero && !prometheus.HasExited)
            {
                direct = PrometheusText.Parse(AdminHttp.Get($"http://127.0.0.1:{adminPort}/metrics").Body).Sum("engine_packets_received_total");
                try
                {
                    var answer = AdminHttp.Get(api);
                    last = answer.Body;
                    // Both shards' series, once the first scrape is in.
                    if (answer.Status == HttpStatusCode.OK && SumOfVector(answer.Body, out var series) is var sum && series == 2)
                    {
                        scraped = sum;
                    }
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
                if (scraped == direct && direct > 0)
                {
                    break;
                }
                Thread.Sleep(250);
            }
            string Log() { lock (prometheusLog) { return prometheusLog.ToString(); } }
            Assert.False(prometheus.HasExited, "prometheus exited: " + Log());
            Assert.True(direct >= 3, $"engine counted {direct} packets"); // hello, challenge response, the messages
            Assert.True(scraped == direct, $"Prometheus says {scraped}, the engine says {direct} after {deadline.Elapsed}; last answer: {last}");
        }
        finally
        {
            if (!prometheus.HasExited)
            {
                prometheus.Kill(entireProcessTree: true);
                prometheus.WaitForExit(5000);
            }
            directory.Delete(recursive: true);
        }
        engine.Signal(SigTerm);
        Assert.True(engine.WaitForExit(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, engine.ExitCode);
    }

    /// <summary>The sum over the series of an instant-vector answer: {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[t,"v"]}]}}.</summary>
    private static double SumOfVector(string json, out int series)
    {
        using var document = JsonDocument.Parse(json);
        var data = document.RootElement.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        double sum = 0;
        series = 0;
        foreach (var result in data.GetProperty("result").EnumerateArray())
        {
            Assert.Equal("engine", result.GetProperty("metric").GetProperty("job").GetString());
            sum += double.Parse(result.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            series++;
        }
        return sum;
    }

    /// <summary>Runs ensure-prometheus.sh (a no-op when prometheus is installed).</summary>
    private static void EnsurePrometheus(TimeSpan timeout) => InstallScript.Run(Path.Combine("tests", "Engine.Tests", "Admin", "ensure-prometheus.sh"), "prometheus", timeout);
}
