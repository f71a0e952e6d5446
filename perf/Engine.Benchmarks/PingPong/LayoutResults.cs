namespace Engine.Benchmarks.PingPong;

/// <summary>One client layout and what each server measured in it.</summary>
internal sealed record LayoutResults(ClientLayout Layout, IReadOnlyList<ScenarioResult> Results)
{
    public ScenarioResult? Ok(string key) => Results.FirstOrDefault(r => r.Key == key && r.Ok);
}
