namespace Engine.Protocol.Snapshots;

/// <summary>The low two bits of a record's head varint; the rest is the slot.</summary>
internal enum SnapshotRecordOp : uint
{
    /// <summary>Present in the baseline and now: a change mask and the changed fields' deltas.</summary>
    Update = 0,

    /// <summary>Absent from the baseline, present now: a mask of the nonzero fields and their absolute values.</summary>
    Spawn = 1,

    /// <summary>Present in the baseline, absent now. Nothing follows.</summary>
    Remove = 2,

    Mask = 3,
    Shift = 2,
}
