using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// The matchmaking calls of a run: how many, those that failed to place a player (matchmake refused or
/// unanswered, or an unreadable ticket), the rejoins refused (the player was matchmade instead), the
/// tickets by action, the HTTP time, and every refusal by call and status.
/// </summary>
internal sealed record MatchmakingTotals(long Calls, long Failures, long RejoinsRefused, long JoinTickets, long QuickMatchTickets, Percentiles Latency, Dictionary<string, long> FailuresByStatus);
