using System.Text;

namespace Engine.LoadTest.Reports;

/// <summary>Writes a <see cref="ReportDocument"/> as Markdown (report.md, perf.md). Charts are named, not drawn: the HTML carries them.</summary>
internal static class MarkdownRenderer
{
    /// <param name="headingShift">Added to every heading level (1 turns a page's sections into subsections).</param>
    public static string Render(ReportDocument document, int headingShift = 0)
    {
        var sb = new StringBuilder();
        Heading(sb, 1 + headingShift, document.Title);
        sb.AppendLine();
        ReportBlock? previous = null;
        foreach (var block in document.Blocks)
        {
            if (previous is ReportBlock.Chart && block is not ReportBlock.Chart)
            {
                sb.AppendLine(); // the end of the list of charts
            }
            switch (block)
            {
                case ReportBlock.Heading h:
                    Heading(sb, h.Level + headingShift, h.Text);
                    break;
                case ReportBlock.Paragraph p:
                    sb.AppendLine(p.Text);
                    break;
                case ReportBlock.Note n:
                    sb.AppendLine(n.Text);
                    break;
                case ReportBlock.Table t:
                    Table(sb, t.Content);
                    break;
                case ReportBlock.Chart c:
                    sb.Append("- Chart: ").Append(c.Title).AppendLine(" (in the HTML report)");
                    break;
            }
            if (block is not ReportBlock.Chart)
            {
                sb.AppendLine();
            }
            previous = block;
        }
        if (previous is ReportBlock.Chart)
        {
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static void Heading(StringBuilder sb, int level, string text) => sb.Append('#', level).Append(' ').AppendLine(text);

    private static void Table(StringBuilder sb, ReportTable table)
    {
        Row(sb, table.Header.Select(h => new ReportCell(h)));
        sb.Append('|').AppendJoin('|', table.Header.Select((_, i) => table.RightAligned is null ? "---" : table.RightAligned[i] ? "--:" : ":--")).AppendLine("|");
        foreach (var row in table.Rows)
        {
            Row(sb, row);
        }
    }

    private static void Row(StringBuilder sb, IEnumerable<ReportCell> cells)
    {
        sb.Append('|');
        foreach (var cell in cells)
        {
            var text = cell.Text.Replace("|", "\\|", StringComparison.Ordinal);
            if (text.Length > 0)
            {
                sb.Append(' ').Append(cell.Tone == CellTone.Bad ? $"**{text}**" : text);
            }
            sb.Append(" |");
        }
        sb.AppendLine();
    }
}
