namespace Engine.LoadTest.Reports;

/// <summary>A titled table of a scenario's own (hostile comparison, attack delivered, leak check), written into report.md and report.html alike.</summary>
internal sealed record ReportSection(string Title, string Text, string[] Header, List<string[]> Rows);
