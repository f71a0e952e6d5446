using System.Text.Json;

namespace Engine.LoadTest.Reports.Perf;

/// <summary>
/// One BenchmarkDotNet case (a method with one set of parameters under one job) as BenchmarkDotNet's
/// JSON exporter writes it. Times are nanoseconds per operation; NaN where BenchmarkDotNet had none.
/// </summary>
internal sealed record BenchmarkCase(
    string Type,
    string Method,
    string Parameters,
    string Job,
    double MeanNs,
    double ErrorNs,
    double StdDevNs,
    double P95Ns,
    double? AllocatedBytes)
{
    public string Name => Type + "." + Method;

    /// <summary>Every case of every `*-report*.json` under <paramref name="directory"/> (BenchmarkDotNet's results folder), files in name order.</summary>
    public static (List<BenchmarkCase> Cases, string? Version, string? Host) ReadAll(string directory)
    {
        var cases = new List<BenchmarkCase>();
        string? version = null, host = null;
        foreach (var file in Directory.GetFiles(directory, "*-report*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            if (root.TryGetProperty("HostEnvironmentInfo", out var info))
            {
                version ??= Text(info, "BenchmarkDotNetVersion");
                host ??= $"{Text(info, "ProcessorName")}, {Number(info, "LogicalCoreCount")} logical cores, {Text(info, "OsVersion")}, {Text(info, "RuntimeVersion")}";
            }
            if (!root.TryGetProperty("Benchmarks", out var benchmarks) || benchmarks.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException($"{file}: no \"Benchmarks\" array; not a BenchmarkDotNet JSON report");
            }
            foreach (var b in benchmarks.EnumerateArray())
            {
                var statistics = b.TryGetProperty("Statistics", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
                double? allocated = b.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object
                    && memory.TryGetProperty("BytesAllocatedPerOperation", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null;
                cases.Add(new BenchmarkCase(
                    Text(b, "Type") ?? "?",
                    Text(b, "Method") ?? "?",
                    Text(b, "Parameters") ?? "",
                    JobOf(Text(b, "DisplayInfo")),
                    Number(statistics, "Mean"),
                    Number(Child(statistics, "ConfidenceInterval"), "Margin"),
                    Number(statistics, "StandardDeviation"),
                    Number(Child(statistics, "Percentiles"), "P95"),
                    allocated));
            }
        }
        return (cases, version, host);
    }

    /// <summary>"Type.Method: short-wks-gc(Runtime=...)" -> "short-wks-gc".</summary>
    private static string JobOf(string? displayInfo)
    {
        var colon = displayInfo?.IndexOf(": ", StringComparison.Ordinal) ?? -1;
        if (displayInfo is null || colon < 0)
        {
            return "";
        }
        var job = displayInfo[(colon + 2)..];
        var paren = job.IndexOf('(', StringComparison.Ordinal);
        return (paren >= 0 ? job[..paren] : job).Trim();
    }

    private static JsonElement Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child) ? child : default;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // BenchmarkDotNet writes NaN statistics as "" (JSON has no NaN).
    private static double Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;
}
