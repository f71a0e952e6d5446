namespace Engine.Client.Netcode;

/// <summary>How prediction and interpolation are going: what a game shows in a net graph. Shared by a predictor and an interpolator if given to both.</summary>
public sealed class NetcodeStats
{
    /// <summary>Authoritative states that differed from what was predicted for the same input (beyond the tolerance).</summary>
    public long Mispredictions { get; internal set; }

    /// <summary>Reconciliations that moved the player the user sees: the replayed prediction differs from the one it replaced.</summary>
    public long Corrections { get; internal set; }

    /// <summary>Sum, last and largest of the corrections' sizes: how far the predicted position jumped, in millimetres.</summary>
    public long CorrectionDistanceTotalMm { get; internal set; }
    public long LastCorrectionMm { get; internal set; }
    public long MaxCorrectionMm { get; internal set; }

    /// <summary>Inputs replayed after mispredictions.</summary>
    public long InputsReplayed { get; internal set; }

    /// <summary>Acknowledgements older than one already processed (reordered snapshots), ignored.</summary>
    public long StaleAcks { get; internal set; }

    /// <summary>Acknowledgements of inputs never sent, ignored.</summary>
    public long InvalidAcks { get; internal set; }

    /// <summary>Reconciliations whose acknowledged input had already left the input ring, so some inputs could not be replayed.</summary>
    public long RingOverruns { get; internal set; }

    public long InterpolatedSamples { get; internal set; }
    public long ExtrapolatedSamples { get; internal set; }

    /// <summary>Samples past the newest snapshot by more than the extrapolation cap: the entity is held at the cap.</summary>
    public long CappedSamples { get; internal set; }

    /// <summary>Snapshots that arrived after a newer one (still used to interpolate) or twice (ignored).</summary>
    public long LateSnapshots { get; internal set; }
    public long DuplicateSnapshots { get; internal set; }

    internal void AddCorrection(long distanceMm)
    {
        Corrections++;
        CorrectionDistanceTotalMm += distanceMm;
        LastCorrectionMm = distanceMm;
        MaxCorrectionMm = Math.Max(MaxCorrectionMm, distanceMm);
    }
}
