using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Engine.LoadTest.Reports;

/// <summary>Writes a <see cref="ReportDocument"/> as HTML: a self-contained page (report.html, charts as base64 PNG) or a fragment to fold into one.</summary>
internal static partial class HtmlRenderer
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}" +
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}" +
        ".good{color:#176b2c}.bad{color:#b00020;font-weight:600}img{max-width:100%;border:1px solid #eee;margin:.5em 0}.note{background:#fff8e1;padding:.6em 1em;border-left:4px solid #f0b400}.wide{overflow-x:auto}";

    /// <summary>A whole page; <paramref name="pageTitle"/> is the browser's, the document's title its first heading.</summary>
    public static string Page(ReportDocument document, string pageTitle) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\">\n<title>{WebUtility.HtmlEncode(pageTitle)}</title>\n<style>{Style}</style></head><body>\n{Render(document)}</body></html>\n";

    /// <param name="headingShift">Added to every heading level (1 turns a page's sections into subsections).</param>
    public static string Render(ReportDocument document, int headingShift = 0)
    {
        var sb = new StringBuilder();
        Heading(sb, 1 + headingShift, document.Title);
        foreach (var block in document.Blocks)
        {
            switch (block)
            {
                case ReportBlock.Heading h:
                    Heading(sb, h.Level + headingShift, h.Text);
                    break;
                case ReportBlock.Paragraph p:
                    sb.Append("<p>").Append(Inline(p.Text)).AppendLine("</p>");
                    break;
                case ReportBlock.Note n:
                    sb.Append("<p class=\"note\">").Append(Inline(n.Text)).AppendLine("</p>");
                    break;
                case ReportBlock.Table t:
                    Table(sb, t.Content);
                    break;
                case ReportBlock.Chart c:
                    var title = WebUtility.HtmlEncode(c.Title);
                    sb.Append("<h3>").Append(title).Append("</h3><img alt=\"").Append(title).Append("\" src=\"data:image/png;base64,")
                        .Append(Convert.ToBase64String(c.Png)).AppendLine("\">");
                    break;
            }
        }
        return sb.ToString();
    }

    private static void Heading(StringBuilder sb, int level, string text)
    {
        level = Math.Clamp(level, 1, 6);
        sb.Append("<h").Append(level).Append('>').Append(Inline(text)).Append("</h").Append(level).AppendLine(">");
    }

    private static void Table(StringBuilder sb, ReportTable table)
    {
        // A wide table (a capacity run's steps) scrolls inside the page instead of running off its edge.
        sb.Append("<div class=\"wide\"><table>");
        if (table.Header.Any(h => h.Length > 0))
        {
            sb.Append("<tr>");
            foreach (var h in table.Header)
            {
                sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
            }
            sb.Append("</tr>");
        }
        sb.AppendLine();
        foreach (var row in table.Rows)
        {
            sb.Append("<tr>");
            for (var i = 0; i < row.Length; i++)
            {
                var tag = table.RowHeaders && i == 0 ? "th" : "td";
                string[] classes = [.. new[] { table.RightAligned?[i] == true ? "num" : "", Class(row[i].Tone) }.Where(c => c.Length > 0)];
                sb.Append('<').Append(tag);
                if (classes.Length > 0)
                {
                    sb.Append(" class=\"").AppendJoin(' ', classes).Append('"');
                }
                sb.Append('>').Append(WebUtility.HtmlEncode(row[i].Text)).Append("</").Append(tag).Append('>');
            }
            sb.AppendLine("</tr>");
        }
        sb.AppendLine("</table></div>");
    }

    private static string Class(CellTone tone) => tone switch
    {
        CellTone.Good => "good",
        CellTone.Bad => "bad",
        _ => "",
    };

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
}
