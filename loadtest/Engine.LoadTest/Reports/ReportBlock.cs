namespace Engine.LoadTest.Reports;

/// <summary>One block of a <see cref="ReportDocument"/>, in the order the renderers write them.</summary>
internal abstract record ReportBlock
{
    private ReportBlock()
    {
    }

    /// <summary>Level 2 and below; level 1 is the document's title.</summary>
    public sealed record Heading(int Level, string Text) : ReportBlock;

    /// <summary>Text that may use `code`, **bold** and [links](target), nothing else.</summary>
    public sealed record Paragraph(string Text) : ReportBlock;

    /// <summary>A paragraph to be read before the figures (HTML sets it off).</summary>
    public sealed record Note(string Text) : ReportBlock;

    public sealed record Table(ReportTable Content) : ReportBlock;

    /// <summary>A chart as PNG bytes: embedded in HTML, named in Markdown.</summary>
    public sealed record Chart(string Title, byte[] Png) : ReportBlock;
}
