using Engine.Protocol.Snapshots;

namespace Engine.Client.Netcode;

/// <summary>
/// Dead reckoning is a pure function of the baseline, the ticks and the tick rate, and clients in
/// one room mostly predict the same baseline to the same tick. A process that runs many clients
/// (the load-test swarm) shares this among their appliers: a prediction is copied from an earlier
/// one only when the baseline is identical to the one it was computed from, value for value, so
/// every client still gets exactly the frame it would have computed. The last
/// <see cref="Entries"/> predictions are kept, replaced oldest first. Single-threaded; allocation-free
/// once every entry holds frames of the rooms' capacity.
/// </summary>
internal sealed class PredictionMemo
{
    public const int Entries = 64;

    private readonly Entry[] _entries = new Entry[Entries];
    private int _next;

    public long Hits { get; private set; }
    public long Misses { get; private set; }

    /// <summary>Writes into <paramref name="destination"/> the baseline moved <paramref name="ticks"/> forward, as <see cref="SnapshotPrediction.Extrapolate"/> does.</summary>
    public void Extrapolate(SnapshotFrame baseline, uint ticks, int tickRate, SnapshotFrame destination)
    {
        foreach (ref var entry in _entries.AsSpan())
        {
            if (entry.Baseline is { } remembered && entry.Ticks == ticks && entry.TickRate == tickRate
                && remembered.Tick == baseline.Tick && remembered.Identical(baseline))
            {
                destination.CopyFrom(entry.Predicted!);
                Hits++;
                return;
            }
        }
        SnapshotPrediction.Extrapolate(baseline, ticks, tickRate, destination);
        Misses++;
        ref var slot = ref _entries[_next];
        _next = (_next + 1) % Entries;
        if (slot.Baseline is null || slot.Baseline.Capacity != baseline.Capacity)
        {
            slot.Baseline = new SnapshotFrame(baseline.Capacity);
            slot.Predicted = new SnapshotFrame(baseline.Capacity);
        }
        slot.Baseline.CopyFrom(baseline);
        slot.Predicted!.CopyFrom(destination);
        slot.Ticks = ticks;
        slot.TickRate = tickRate;
    }

    private struct Entry
    {
        public SnapshotFrame? Baseline;
        public SnapshotFrame? Predicted;
        public uint Ticks;
        public int TickRate;
    }
}
