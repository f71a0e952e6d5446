namespace Engine.LoadTest.Reports;

/// <summary>A table cell: its text, and whether it says something good or bad (a target met or missed, a change for the better or worse).</summary>
internal readonly record struct ReportCell(string Text, CellTone Tone = CellTone.Plain)
{
    public static implicit operator ReportCell(string text) => new(text);

    public static ReportCell Verdict(string text, bool good) => new(text, good ? CellTone.Good : CellTone.Bad);
}
