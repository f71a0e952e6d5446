using Engine.LoadTest.Metrics;

namespace Engine.LoadTest.Fleet;

/// <summary>The matchmaking calls of a run: how many, the refusals by call and status, the tickets by action and the HTTP time.</summary>
internal sealed record MatchmakingTotals(long Calls, long Failures, long JoinTickets, long QuickMatchTickets, Percentiles Latency, Dictionary<string, long> FailuresByStatus);
