namespace Engine.LoadTest.Reports;

/// <summary>A titled table of a scenario's own (hostile comparison, attack delivered, leak check) with the paragraph that explains it.</summary>
internal sealed record ReportSection(string Title, string Text, ReportTable Table);
