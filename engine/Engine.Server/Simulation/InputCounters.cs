namespace Engine.Server.Simulation;

/// <summary>What the input validator did with the inputs it was given, by reason. Summed over all players of a room.</summary>
internal struct InputCounters
{
    /// <summary>Inputs carried by messages, redundant copies included.</summary>
    public long Received;

    /// <summary>New inputs buffered for application.</summary>
    public long Accepted;

    /// <summary>Inputs handed to the game mode.</summary>
    public long Applied;

    /// <summary>Already applied or already buffered: the redundant copies every message carries. Normal, not abuse.</summary>
    public long Duplicates;

    /// <summary>Sequence 0, which no client sends.</summary>
    public long InvalidSequence;

    /// <summary>An axis at -128, clamped to -127.</summary>
    public long AxisClamped;

    /// <summary>Pitch beyond straight up or down, clamped.</summary>
    public long PitchClamped;

    /// <summary>Reserved button bits, cleared.</summary>
    public long ButtonsCleared;

    /// <summary>Sequences never received in time and skipped (the client is corrected by the next snapshot).</summary>
    public long Lost;

    /// <summary>Inputs discarded because a sequence arrived too far ahead of the last applied one (a flood or a long stall).</summary>
    public long Overflow;

    /// <summary>Player-ticks where inputs waited for credit (catching up a backlog, or a client sending too fast).</summary>
    public long RateLimited;

    /// <summary>Messages for a slot with no player.</summary>
    public long NoPlayer;
}
