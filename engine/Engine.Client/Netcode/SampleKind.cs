namespace Engine.Client.Netcode;

/// <summary>How <see cref="Interpolator.Sample"/> produced a state.</summary>
public enum SampleKind : byte
{
    /// <summary>No snapshot of the entity yet; the state is default.</summary>
    None,

    /// <summary>Between two snapshots (or exactly on one).</summary>
    Interpolated,

    /// <summary>Past the newest snapshot, moved on by its velocity.</summary>
    Extrapolated,

    /// <summary>Past the newest snapshot by more than the cap: held where the cap leaves it.</summary>
    Capped,

    /// <summary>Before the oldest snapshot kept: the oldest is shown.</summary>
    Oldest,
}
