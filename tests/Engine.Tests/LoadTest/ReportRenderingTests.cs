using System.Net;
using System.Text.RegularExpressions;
using Engine.LoadTest;
using Engine.LoadTest.Reports;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>
/// report.md and report.html come from one <see cref="ReportDocument"/>: read back, both carry the
/// same headings, the same tables cell for cell, and the same charts, in the same order.
/// </summary>
public sealed partial class ReportRenderingTests
{
    [Fact]
    public void A_hand_built_document_renders_the_same_content_as_Markdown_and_HTML()
    {
        var doc = new ReportDocument("Title with a | pipe")
            .Paragraph("Text with `code`, **bold** and [a link](perf.md).")
            .Note("**Read this first.**")
            .Heading(2, "Targets")
            .Table(new ReportTable(["target", "goal", ""], [["a | b", "< 1 ms", ReportCell.Verdict("met", true)], ["c", "0", ReportCell.Verdict("missed", false)]]))
            .Heading(3, "Numbers")
            .Table(new ReportTable(["name", "mean"], [["x", "1.5 ns"], ["y", ""]]) { RightAligned = [false, true] })
            .Chart("Players", [1, 2, 3])
            .Chart("Throughput", [4])
            .Heading(2, "Machine")
            .Table(ReportTable.KeyValue([("cores", "2"), ("CPU", "<model> & co")]));

        AssertSameContent(doc);
        var html = HtmlRenderer.Render(doc);
        Assert.Contains("<td class=\"bad\">missed</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">1.5 ns</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>CPU</th><td>&lt;model&gt; &amp; co</td>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"perf.md\">a link</a>", html, StringComparison.Ordinal);
        Assert.Contains("src=\"data:image/png;base64,AQID\"", html, StringComparison.Ordinal);
        var markdown = MarkdownRenderer.Render(doc);
        Assert.Contains("| a \\| b | < 1 ms | met |", markdown, StringComparison.Ordinal);
        Assert.Contains("| c | 0 | **missed** |", markdown, StringComparison.Ordinal);
        Assert.Contains("|:--|--:|", markdown, StringComparison.Ordinal);
        Assert.Contains("- Chart: Players (in the HTML report)\n- Chart: Throughput (in the HTML report)\n\n## Machine", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("steady", false)]
    [InlineData("chat", true)]
    [InlineData("soak", false)]
    [InlineData("overload", false)]
    public void The_load_test_report_renders_the_same_tables_and_charts_as_Markdown_and_HTML(string scenario, bool withBaseline)
    {
        var run = HandBuiltRun.Of(LoadTestOptions.Parse([scenario, "--players", "10", "--knee", "5"])); // the knee: the overload scenario's, below its peak
        run.WindowSeconds = 10;
        var figures = ReportWriter.Figures(run);
        var baseline = withBaseline ? figures.ToDictionary(f => f.Key, f => double.IsNaN(f.Value) ? 1.0 : f.Value + 1) : null;
        var doc = ReportWriter.Document(run, figures, ReportWriter.Targets(run), baseline, [("Players", [1, 2, 3]), ("Throughput", [4, 5])]);

        var (tables, _, _) = AssertSameContent(doc);
        var figureTable = tables.Last(t => t[0][0] == "figure"); // the soak section has one too, before it
        Assert.Equal(figures.Select(f => f.Label), figureTable.Skip(1).Select(row => row[0]));
        Assert.Equal(withBaseline ? 4 : 2, figureTable[0].Length);
        Assert.Contains(tables, t => t.Any(row => row is ["scenario", var name] && name == scenario));
    }

    /// <summary>Reads both renderings back and asserts they hold the same headings, tables and charts; returns them.</summary>
    private static (List<string[][]> Tables, List<string> Headings, List<string> Charts) AssertSameContent(ReportDocument doc)
    {
        var markdown = MarkdownRenderer.Render(doc);
        var html = HtmlRenderer.Page(doc, "page");

        var markdownTables = MarkdownTables(markdown);
        var htmlTables = HtmlTables(html);
        Assert.Equal(doc.Blocks.Count(b => b is ReportBlock.Table), markdownTables.Count);
        Assert.Equal(markdownTables.Count, htmlTables.Count);
        for (var t = 0; t < markdownTables.Count; t++)
        {
            Assert.Equal(markdownTables[t].Length, htmlTables[t].Length);
            for (var row = 0; row < markdownTables[t].Length; row++)
            {
                Assert.Equal(markdownTables[t][row], htmlTables[t][row]);
            }
        }

        var markdownHeadings = MarkdownHeading().Matches(markdown).Select(m => $"{m.Groups[1].Length} {m.Groups[2].Value}").ToList();
        var htmlHeadings = HtmlHeading().Matches(html).Select(m => $"{m.Groups[1].Value} {Text(m.Groups[2].Value)}").ToList();
        Assert.Equal(markdownHeadings, htmlHeadings);

        var markdownCharts = MarkdownChart().Matches(markdown).Select(m => m.Groups[1].Value).ToList();
        var htmlCharts = HtmlChart().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(doc.Blocks.OfType<ReportBlock.Chart>().Select(c => c.Title), markdownCharts);
        Assert.Equal(markdownCharts, htmlCharts);
        return (markdownTables, markdownHeadings, markdownCharts);
    }

    /// <summary>Runs of lines starting with '|': the header (left out when every cell is empty, as HTML leaves it out), the rows; cells unescaped, bold dropped.</summary>
    private static List<string[][]> MarkdownTables(string markdown)
    {
        var tables = new List<string[][]>();
        var current = new List<string[]>();
        foreach (var line in markdown.Split('\n').Append(""))
        {
            if (line.StartsWith('|'))
            {
                current.Add([.. MarkdownCellSplit().Split(line.Trim()[1..^1]).Select(c => c.Trim().Replace("\\|", "|", StringComparison.Ordinal).Replace("**", "", StringComparison.Ordinal))]);
                continue;
            }
            if (current.Count > 0)
            {
                current.RemoveAt(1); // the alignment row
                if (current[0].All(c => c.Length == 0))
                {
                    current.RemoveAt(0);
                }
                tables.Add([.. current]);
                current = [];
            }
        }
        return tables;
    }

    private static List<string[][]> HtmlTables(string html) =>
        [.. HtmlTable().Matches(html).Select(t => HtmlRow().Matches(t.Groups[1].Value)
            .Select(r => HtmlCell().Matches(r.Groups[1].Value).Select(c => Text(c.Groups[1].Value)).ToArray()).ToArray())];

    private static string Text(string html) => WebUtility.HtmlDecode(Tag().Replace(html, ""));

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex MarkdownCellSplit();

    [GeneratedRegex(@"^(#+) (.*)$", RegexOptions.Multiline)]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"^- Chart: (.*) \(in the HTML report\)$", RegexOptions.Multiline)]
    private static partial Regex MarkdownChart();

    [GeneratedRegex(@"<h(\d)>(.*?)</h\1>(?!<img)")]
    private static partial Regex HtmlHeading();

    [GeneratedRegex(@"<img alt=""([^""]*)""")]
    private static partial Regex HtmlChart();

    [GeneratedRegex(@"<table>(.*?)</table>", RegexOptions.Singleline)]
    private static partial Regex HtmlTable();

    [GeneratedRegex(@"<tr>(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex HtmlRow();

    [GeneratedRegex(@"<t[hd][^>]*>(.*?)</t[hd]>", RegexOptions.Singleline)]
    private static partial Regex HtmlCell();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();
}
