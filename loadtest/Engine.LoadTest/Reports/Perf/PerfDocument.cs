using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Engine.LoadTest.Reports.Perf;

/// <summary>
/// The folded performance section as a few blocks (headings, paragraphs, tables), written as
/// Markdown for perf.md and report.md and as HTML for report.html from the same content.
/// Paragraph text may use `code`, **bold** and [links](target), nothing else.
/// </summary>
internal sealed partial class PerfDocument
{
    private readonly List<Block> _blocks = new();

    public void Heading(int level, string text) => _blocks.Add(new Block(BlockKind.Heading, level, text, null, null));

    public void Paragraph(string text) => _blocks.Add(new Block(BlockKind.Paragraph, 0, text, null, null));

    /// <param name="rightAligned">Per column: numbers are right-aligned.</param>
    public void Table(string[] header, bool[] rightAligned, List<string[]> rows) =>
        _blocks.Add(new Block(BlockKind.Table, 0, "", header, (rightAligned, rows)));

    /// <param name="headingShift">Added to every heading level (1 turns a page's sections into subsections).</param>
    public string ToMarkdown(int headingShift = 0)
    {
        var sb = new StringBuilder();
        foreach (var block in _blocks)
        {
            switch (block.Kind)
            {
                case BlockKind.Heading:
                    sb.Append('#', block.Level + headingShift).Append(' ').AppendLine(block.Text);
                    break;
                case BlockKind.Paragraph:
                    sb.AppendLine(block.Text);
                    break;
                case BlockKind.Table:
                    var (right, rows) = block.Table!.Value;
                    sb.Append("| ").AppendJoin(" | ", block.Header!.Select(Cell)).AppendLine(" |");
                    sb.Append('|').AppendJoin('|', right.Select(r => r ? "--:" : ":--")).AppendLine("|");
                    foreach (var row in rows)
                    {
                        sb.Append("| ").AppendJoin(" | ", row.Select(Cell)).AppendLine(" |");
                    }
                    break;
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public string ToHtml(int headingShift = 0)
    {
        var sb = new StringBuilder();
        foreach (var block in _blocks)
        {
            switch (block.Kind)
            {
                case BlockKind.Heading:
                    var level = Math.Clamp(block.Level + headingShift, 1, 6);
                    sb.Append("<h").Append(level).Append('>').Append(Inline(block.Text)).Append("</h").Append(level).AppendLine(">");
                    break;
                case BlockKind.Paragraph:
                    sb.Append("<p>").Append(Inline(block.Text)).AppendLine("</p>");
                    break;
                case BlockKind.Table:
                    var (right, rows) = block.Table!.Value;
                    sb.Append("<table><tr>");
                    foreach (var h in block.Header!)
                    {
                        sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
                    }
                    sb.AppendLine("</tr>");
                    foreach (var row in rows)
                    {
                        sb.Append("<tr>");
                        for (var i = 0; i < row.Length; i++)
                        {
                            sb.Append(right[i] ? "<td class=\"num\">" : "<td>").Append(WebUtility.HtmlEncode(row[i])).Append("</td>");
                        }
                        sb.AppendLine("</tr>");
                    }
                    sb.AppendLine("</table>");
                    break;
            }
        }
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>HTML-encodes, then turns `code` into &lt;code&gt;, **bold** into &lt;b&gt; and [text](target) into a link.</summary>
    private static string Inline(string text)
    {
        var encoded = WebUtility.HtmlEncode(text);
        encoded = Pair(encoded, "**", "<b>", "</b>");
        encoded = Pair(encoded, "`", "<code>", "</code>");
        return Link().Replace(encoded, "<a href=\"$2\">$1</a>");
    }

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    private static string Pair(string text, string marker, string open, string close)
    {
        var sb = new StringBuilder();
        var inside = false;
        var start = 0;
        int at;
        while ((at = text.IndexOf(marker, start, StringComparison.Ordinal)) >= 0)
        {
            sb.Append(text, start, at - start).Append(inside ? close : open);
            inside = !inside;
            start = at + marker.Length;
        }
        sb.Append(text, start, text.Length - start);
        if (inside)
        {
            sb.Append(close);
        }
        return sb.ToString();
    }

    private enum BlockKind
    {
        Heading,
        Paragraph,
        Table,
    }

    private sealed record Block(BlockKind Kind, int Level, string Text, string[]? Header, (bool[] Right, List<string[]> Rows)? Table);
}
