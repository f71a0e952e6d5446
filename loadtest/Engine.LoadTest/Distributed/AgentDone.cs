namespace Engine.LoadTest.Distributed;

/// <summary>An agent's last word: its players have left; <see cref="Reason"/> says why it stopped when not told to.</summary>
internal sealed record AgentDone(string Id, int LastSecond, string? Reason);
