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

    /// <summary>Bytes per connected player, rooms included; measured near 0 below it, with margin for runtime changes.</summary>
    private const int BudgetBytesPerSession = 1_000_000;

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
        Assert.True(whole <= BudgetBytesPerSession, $"{whole:F0} bytes per session, over the budget of {BudgetBytesPerSession}:\n{report}");
    }
}
