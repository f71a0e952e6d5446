namespace Engine.LoadTest.Metrics;

/// <summary>
/// The engine's garbage collector at one scrape (the dotnet_gc_* families of its /metrics): what it
/// has allocated and collected, what it keeps committed, and each generation as the last collection
/// left it. Next to RSS it tells live objects from memory the GC only keeps. A family the engine does
/// not export reads null (or stays empty), never 0.
/// </summary>
internal sealed class GcSample
{
    /// <summary>The generations as the engine labels them: 0, 1, 2, the large and the pinned object heaps.</summary>
    public static readonly string[] Generations = ["0", "1", "2", "loh", "poh"];

    /// <summary>dotnet_gc_heap_size_bytes: what the last collection left plus what was allocated since.</summary>
    public long? HeapBytes { get; private set; }

    /// <summary>dotnet_gc_committed_bytes: memory the GC holds from the system, as of the last collection.</summary>
    public long? CommittedBytes { get; private set; }

    /// <summary>dotnet_gc_allocated_bytes_total.</summary>
    public long? AllocatedBytes { get; private set; }

    /// <summary>dotnet_gc_collections_total by generation (0, 1, 2): a collection of generation 2 counts in 0 and 1 too.</summary>
    public Dictionary<string, long> Collections { get; } = new(StringComparer.Ordinal);

    /// <summary>dotnet_gc_last_collection_heap_size_bytes by generation, free space included.</summary>
    public Dictionary<string, long> GenerationBytes { get; } = new(StringComparer.Ordinal);

    /// <summary>dotnet_gc_last_collection_fragmentation_bytes by generation: free space inside it.</summary>
    public Dictionary<string, long> FragmentationBytes { get; } = new(StringComparer.Ordinal);

    /// <summary>The engine exports the per-generation figures (engines before them exported only the totals).</summary>
    public bool HasGenerations => GenerationBytes.Count > 0;

    /// <summary>The heap after the last collection, every generation, free space included.</summary>
    public long? AfterCollectionBytes => HasGenerations ? GenerationBytes.Values.Sum() : null;

    /// <summary>Free space inside the generations after the last collection.</summary>
    public long? FragmentedBytes => FragmentationBytes.Count > 0 ? FragmentationBytes.Values.Sum() : null;

    /// <summary>Objects the last collection left alive: the generations without their free space.</summary>
    public long? LiveBytes => AfterCollectionBytes - (FragmentedBytes ?? 0);

    /// <summary>Memory the GC has committed but holds no generation: free regions it keeps for later allocations.</summary>
    public long? CommittedFreeBytes => CommittedBytes - AfterCollectionBytes;

    /// <summary>Collections of exactly this generation (a generation 2 collection is not also one of 0 and 1).</summary>
    public long? CollectionsOf(int generation)
    {
        if (!Collections.TryGetValue(Generations[generation], out var count))
        {
            return null;
        }
        var older = generation < 2 && Collections.TryGetValue(Generations[generation + 1], out var next) ? next : 0;
        return count - older;
    }

    /// <summary>Takes one sample line if it is a GC family; false for any other.</summary>
    public bool TryRead(string name, string? generation, double value)
    {
        var v = (long)value;
        switch (name)
        {
            case "dotnet_gc_heap_size_bytes":
                HeapBytes = v;
                return true;
            case "dotnet_gc_committed_bytes":
                CommittedBytes = v;
                return true;
            case "dotnet_gc_allocated_bytes_total":
                AllocatedBytes = v;
                return true;
            case "dotnet_gc_collections_total" when generation is not null:
                Collections[generation] = v;
                return true;
            case "dotnet_gc_last_collection_heap_size_bytes" when generation is not null:
                GenerationBytes[generation] = v;
                return true;
            case "dotnet_gc_last_collection_fragmentation_bytes" when generation is not null:
                FragmentationBytes[generation] = v;
                return true;
            default:
                return false;
        }
    }
}
