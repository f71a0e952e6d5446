namespace Engine.LoadTest;

/// <summary>
/// A named set of rates a game runs at: the simulation tick, the input messages a player sends
/// (each carries every tick's input since the previous one plus the last two again) and the
/// snapshots the server sends. Every rate stays settable on its own (--tick-rate, --input-rate,
/// --snapshot-rate); the report then names the profile as modified.
/// </summary>
internal sealed record RateProfile(string Name, int TickRate, int InputRate, int SnapshotRate, string Purpose)
{
    /// <summary>A relaxed game: 60 Hz simulation, inputs batched 10 times a second, 10 snapshots a second; about 21 datagrams per player-second.</summary>
    public static readonly RateProfile Seed = new("seed", 60, 10, 10, "a relaxed game: inputs batched 6 ticks at a time, 10 snapshots/s; about 21 datagrams per player-second");

    /// <summary>A fast shooter's rates: about 51 datagrams per player-second.</summary>
    public static readonly RateProfile Competitive = new("competitive", 60, 30, 20, "a fast shooter: inputs every 2 ticks, 20 snapshots/s; about 51 datagrams per player-second");

    public static IReadOnlyList<RateProfile> All { get; } = [Seed, Competitive];

    public static RateProfile? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The profile's name, or "NAME, modified (...)" when a rate was set apart from it.</summary>
    public string Label(int tickRate, int inputRate, int snapshotRate)
    {
        var changes = new List<string>();
        if (tickRate != TickRate)
        {
            changes.Add($"tick {tickRate} Hz");
        }
        if (inputRate != InputRate)
        {
            changes.Add($"input {inputRate} Hz");
        }
        if (snapshotRate != SnapshotRate)
        {
            changes.Add($"snapshots {snapshotRate} Hz");
        }
        return changes.Count == 0 ? Name : $"{Name}, modified ({string.Join(", ", changes)})";
    }

    public override string ToString() => $"{Name}: {TickRate} Hz simulation, {InputRate} Hz input, {SnapshotRate} Hz snapshots ({Purpose})";
}
