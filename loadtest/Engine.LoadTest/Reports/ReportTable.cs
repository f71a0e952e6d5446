namespace Engine.LoadTest.Reports;

/// <summary>A table of a report: a header, rows of cells, and how its columns are laid out.</summary>
internal sealed record ReportTable(string[] Header, List<ReportCell[]> Rows)
{
    /// <summary>Per column: numbers, right-aligned. Null: every column as the renderer's default.</summary>
    public bool[]? RightAligned { get; init; }

    /// <summary>The first cell of each row names it (a key-value table); its header may be empty.</summary>
    public bool RowHeaders { get; init; }

    /// <summary>Two columns without a header: each item's name, then its value.</summary>
    public static ReportTable KeyValue(IEnumerable<(string Name, string Value)> items) =>
        new(["", ""], [.. items.Select(i => new ReportCell[] { i.Name, i.Value })]) { RowHeaders = true };
}
