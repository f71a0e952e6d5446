namespace Engine.LoadTest.Capacity;

/// <summary>
/// The capacity search's load shape, as a pure function of its options: the first step's players
/// connect, then each step holds its count for the step time and the next adds the step's players
/// at the join rate, up to the ceiling (--players). The runner stops at the first step that misses
/// a target; steps never overlap, so each one's figures are its own.
/// </summary>
internal static class CapacityPlan
{
    public const string RampPrefix = "ramp to ";
    public const string HoldSuffix = " players";

    /// <summary>One step: the ramp that brings it (none for the first, which connects), then the hold that is judged.</summary>
    public sealed record Step(int Players, int RampSeconds, int HoldSeconds)
    {
        public string RampName => $"{RampPrefix}{Players}";
        public string HoldName => $"{Players}{HoldSuffix}";
    }

    public static IReadOnlyList<Step> Steps(LoadTestOptions o) => Steps(o.StepPlayers, o.Players, o.DurationSeconds, o.JoinRate);

    public static IReadOnlyList<Step> Steps(int stepPlayers, int ceiling, int holdSeconds, double joinRate)
    {
        var steps = new List<Step>();
        for (var players = stepPlayers; players <= ceiling; players += stepPlayers)
        {
            steps.Add(new(players, players == stepPlayers ? 0 : Overload.OverloadPlan.RampSeconds(stepPlayers, joinRate), holdSeconds));
        }
        return steps;
    }

    /// <summary>The players of a hold window's name ("2500 players"), or null for any other window.</summary>
    public static int? HoldPlayers(string windowName) =>
        windowName.EndsWith(HoldSuffix, StringComparison.Ordinal) && int.TryParse(windowName.AsSpan(0, windowName.Length - HoldSuffix.Length), out var n) ? n : null;
}
