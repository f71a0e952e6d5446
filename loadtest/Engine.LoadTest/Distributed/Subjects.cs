namespace Engine.LoadTest.Distributed;

/// <summary>
/// The NATS subjects of a distributed run. Idle agents announce themselves on one subject; each gets its
/// share on a subject of its own; everything of a run lives under loadtest.run.&lt;run id&gt;, so two
/// coordinators on one NATS server do not mix their agents' streams.
/// </summary>
internal static class Subjects
{
    public const string Hello = "loadtest.hello";

    public static string Share(string agent) => $"loadtest.agent.{agent}.share";

    public static string Run(string run) => $"loadtest.run.{run}.>";

    /// <summary>The coordinator's heartbeat and its stop, to every agent of the run.</summary>
    public static string Control(string run) => $"loadtest.run.{run}.control";

    public static string Heartbeat(string run, string agent) => $"loadtest.run.{run}.heartbeat.{agent}";

    public static string Second(string run, string agent) => $"loadtest.run.{run}.second.{agent}";

    public static string Done(string run, string agent) => $"loadtest.run.{run}.done.{agent}";

    /// <summary>The kind (heartbeat, second, done) and the agent of a subject under <see cref="Run"/>; false for the coordinator's own.</summary>
    public static bool TryParseAgentSubject(string subject, out string kind, out string agent)
    {
        var parts = subject.Split('.');
        kind = parts.Length == 5 ? parts[3] : "";
        agent = parts.Length == 5 ? parts[4] : "";
        return parts.Length == 5;
    }

    /// <summary>An agent name as a single subject token: no dots, spaces or wildcards.</summary>
    public static string Token(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray();
        return chars.Length == 0 ? "agent" : new string(chars);
    }
}
