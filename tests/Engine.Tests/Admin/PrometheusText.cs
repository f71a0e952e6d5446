using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace Engine.Tests.Admin;

/// <summary>A strict reader of the Prometheus text format 0.0.4, enough to check what /metrics serves.</summary>
internal sealed partial class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = new();
    private readonly Dictionary<string, string> _types = new();

    [GeneratedRegex("""^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$""")]
    private static partial Regex Comment();

    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$""")]
    private static partial Regex Sample();

    /// <summary>Parses the whole text and fails the test on the first line that is not well formed.</summary>
    public static PrometheusText Parse(string text)
    {
        var result = new PrometheusText();
        Assert.EndsWith("\n", text);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var comment = Comment().Match(line);
                Assert.True(comment.Success, $"bad comment line: {line}");
                if (comment.Groups[1].Value == "TYPE")
                {
                    Assert.Contains(comment.Groups[3].Value, new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                    Assert.True(result._types.TryAdd(comment.Groups[2].Value, comment.Groups[3].Value), $"TYPE given twice: {line}");
                }
                continue;
            }
            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"bad sample line: {line}");
            var valueText = sample.Groups[3].Value;
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var name = sample.Groups[1].Value;
            Assert.True(result.FamilyOf(name) is not null, $"sample before its TYPE line: {line}");
            result._samples.Add((name, sample.Groups[2].Value.Trim('{', '}'), value));
        }
        return result;
    }

    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>Every metric family the text declares (its TYPE lines).</summary>
    public IReadOnlyCollection<string> Families => _types.Keys;

    /// <summary>Sum over every series of a sample name whose labels contain <paramref name="labelFilter"/>.</summary>
    public double Sum(string name, string labelFilter = "") =>
        _samples.Where(s => s.Name == name && s.Labels.Contains(labelFilter, StringComparison.Ordinal)).Sum(s => s.Value);

    public IEnumerable<(string Labels, double Value)> Series(string name) =>
        _samples.Where(s => s.Name == name).Select(s => (s.Labels, s.Value));

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    private string? FamilyOf(string sampleName)
    {
        if (_types.ContainsKey(sampleName))
        {
            return sampleName;
        }
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && _types.ContainsKey(sampleName[..^suffix.Length]))
            {
                return sampleName[..^suffix.Length];
            }
        }
        return null;
    }
}
