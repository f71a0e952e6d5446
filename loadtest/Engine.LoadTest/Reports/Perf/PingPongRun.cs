using System.Text.Json;

namespace Engine.LoadTest.Reports.Perf;

/// <summary>
/// A ping-pong run as its JSON output describes it: the shape of the run and its client layouts
/// in the order they ran (the realistic one, one address per client, first), one row per server in each.
/// </summary>
internal sealed record PingPongRun(
    int Clients,
    int PayloadBytes,
    int WarmupSeconds,
    int MeasuredSeconds,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    List<PingPongLayout> Layouts)
{
    public static PingPongRun Read(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || Text(root, "kind") != "engine-pingpong")
        {
            throw new InvalidDataException($"{path}: not the JSON of the ping-pong (\"kind\": \"engine-pingpong\")");
        }
        var layouts = new List<PingPongLayout>();
        if (root.TryGetProperty("layouts", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var layout in items.EnumerateArray())
            {
                layouts.Add(new PingPongLayout(Text(layout, "key") ?? "?", Text(layout, "title") ?? "?", Text(layout, "measures") ?? "",
                    (int)Zero(Number(layout, "clientSockets")), Results(layout)));
            }
        }
        else if (root.TryGetProperty("results", out _))
        {
            // Written before the ping-pong ran both layouts: one table whose layout the rows' client addresses show.
            layouts.Add(new PingPongLayout("", "Client layout not recorded (see the client addrs column)", "", 0, Results(root)));
        }
        return new PingPongRun(
            (int)Zero(Number(root, "clients")),
            (int)Zero(Number(root, "payloadBytes")),
            (int)Zero(Number(root, "warmupSeconds")),
            (int)Zero(Number(root, "measuredSeconds")),
            Text(root, "loadAverageAtStart") ?? "unknown",
            Text(root, "loadAverageAtEnd") ?? "unknown",
            // The realistic layout first, whatever the order in the file.
            [.. layouts.OrderBy(l => l.Key == "per-client" ? 0 : 1)]);
    }

    private static List<PingPongResult> Results(JsonElement parent)
    {
        var results = new List<PingPongResult>();
        if (parent.TryGetProperty("results", out var rows) && rows.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in rows.EnumerateArray())
            {
                results.Add(new PingPongResult(
                    Text(r, "key") ?? "?",
                    Text(r, "name") ?? "?",
                    r.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True,
                    Text(r, "error"),
                    Number(r, "roundTripsPerSecond"),
                    Number(r, "rttP50Us"),
                    Number(r, "rttP99Us"),
                    Number(r, "serverCpuUsPerRoundTrip"),
                    Number(r, "serverBytesPerMessage"),
                    Number(r, "clientCpuUsPerRoundTrip"),
                    (long)Zero(Number(r, "lost")),
                    (int)Zero(Number(r, "clientAddresses"))));
            }
        }
        return results;
    }

    private static double Zero(double value) => double.IsNaN(value) ? 0 : value;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;
}
