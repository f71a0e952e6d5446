using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Engine.Tests.Sessions;

/// <summary>
/// The server's memory per connected player (docs/PERF.md, "Memory per player"): 1,000 sessions
/// as a shard holds them must stay under a budget, so a buffer that grows back fails here with
/// the breakdown that says which.
/// </summary>
public sealed class SessionMemoryTests(ITestOutputHelper output)
{
    private const int Sessions = 1000;

    /// <summary>
    /// A connected player in a room of 50, the room's share included: measured 6,333 B with 1 s of
    /// snapshot history at 20 Hz (7,050-7,110 with 33 frames; 11,290 before the per-session buffers were cut).
    /// </summary>
    private const int BudgetBytesPerPlayer = 6_800;

    /// <summary>The same without the room's share (its snapshot history): measured 4,240-4,300 B (8,480 before).</summary>
    private const int BudgetBytesPerSession = 4_700;

    [Fact]
    public void A_connected_player_costs_under_the_budget()
    {
        var lines = SessionMemory.Breakdown(Sessions);
        var report = new StringBuilder();
        foreach (var line in lines)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"{line.Component,-45} {line.BytesPerSession,8:F0} B");
        }
        output.WriteLine(report.ToString());
        var whole = lines[^1].BytesPerSession;
        var roomShare = lines.Single(l => l.Component.StartsWith("Room", StringComparison.Ordinal)).BytesPerSession;
        Assert.True(whole <= BudgetBytesPerPlayer, $"{whole:F0} bytes per player, over the budget of {BudgetBytesPerPlayer}:\n{report}");
        Assert.True(whole - roomShare <= BudgetBytesPerSession,
            $"{whole - roomShare:F0} bytes per session besides its room, over the budget of {BudgetBytesPerSession}:\n{report}");
    }
}
