namespace Engine.Protocol.Snapshots;

/// <summary>
/// What <see cref="DeltaEncoder"/> wrote. <see cref="Included"/> slots are the ones whose state the
/// client will hold after decoding (a record, or no change to send); the rest of the requested
/// slots did not fit the budget, and <see cref="Complete"/> is false. Zero bytes written means not
/// even the header fit.
/// </summary>
public readonly record struct SnapshotEncodeResult(int BytesWritten, int Included, bool Complete);
