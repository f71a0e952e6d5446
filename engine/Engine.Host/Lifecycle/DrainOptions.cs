namespace Engine.Host.Lifecycle;

/// <summary>How long a drain (SIGTERM, POST /admin/drain) lets rooms play on before the players are told and the node stops.</summary>
internal sealed class DrainOptions
{
    // Under Kubernetes' default 30 s grace period, with room for the 2 s shutdown that follows.
    public const int DefaultTimeoutSeconds = 25;
    public const int MaxTimeoutSeconds = 86_400;

    public int TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public IReadOnlyList<string> Validate() =>
        TimeoutSeconds is < 0 or > MaxTimeoutSeconds
            ? [$"drain-timeout-seconds: {TimeoutSeconds} is out of range (0..{MaxTimeoutSeconds}; 0 stops at once)"]
            : [];
}
