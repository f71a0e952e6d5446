namespace Engine.LoadTest.Reports;

/// <summary>
/// A report as content only: a title and blocks (headings, paragraphs, notes, tables, charts),
/// built once and written by <see cref="MarkdownRenderer"/> and <see cref="HtmlRenderer"/>, so
/// both files carry the same tables in the same order.
/// </summary>
internal sealed class ReportDocument(string title)
{
    private readonly List<ReportBlock> _blocks = [];

    public string Title { get; } = title;

    public IReadOnlyList<ReportBlock> Blocks => _blocks;

    public ReportDocument Heading(int level, string text) => Add(new ReportBlock.Heading(level, text));

    public ReportDocument Paragraph(string text) => Add(new ReportBlock.Paragraph(text));

    public ReportDocument Note(string text) => Add(new ReportBlock.Note(text));

    public ReportDocument Table(ReportTable table) => Add(new ReportBlock.Table(table));

    public ReportDocument Chart(string title, byte[] png) => Add(new ReportBlock.Chart(title, png));

    /// <summary>A section at level 2: its title, its paragraph and its table.</summary>
    public ReportDocument Section(ReportSection section) => Heading(2, section.Title).Paragraph(section.Text).Table(section.Table);

    private ReportDocument Add(ReportBlock block)
    {
        _blocks.Add(block);
        return this;
    }
}
