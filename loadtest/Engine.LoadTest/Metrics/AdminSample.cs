using System.Globalization;

namespace Engine.LoadTest.Metrics;

/// <summary>One scrape of /metrics: the series the swarm keeps, summed over shards (the overload level: the highest).</summary>
internal sealed class AdminSample
{
    public long Sessions { get; private set; } = -1;
    public long Rooms { get; private set; } = -1;
    public long TimedOut { get; private set; }
    public Dictionary<string, long> Drops { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> Handshakes { get; } = new(StringComparer.Ordinal);

    // The overload policy's series; null (or empty) while the engine does not export them, never a made-up 0.

    /// <summary>engine_overload_level, the highest over shards: 0 normal, 1 over the tick budget, 2 far over.</summary>
    public long? OverloadLevel { get; private set; }
    public long? SnapshotsSent { get; private set; }

    /// <summary>Snapshots the overload policy skipped (the player gets a later one).</summary>
    public long? SnapshotsDeferred { get; private set; }

    /// <summary>Clients sent back to a shared keyframe.</summary>
    public long? ViewsReset { get; private set; }

    /// <summary>engine_snapshot_encodes_total by kind (shared, player, spectator).</summary>
    public Dictionary<string, long> Encodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The engine exports its overload policy's series; then a drop reason it does not list (overload_shed) is 0, not unknown.</summary>
    public bool ExportsOverload => OverloadLevel is not null;

    /// <summary>The engine's garbage collector (dotnet_gc_*).</summary>
    public GcSample Gc { get; } = new();

    public long TotalDrops => Drops.Values.Sum();

    /// <summary>Reads the sample lines it knows (`name{labels} value`) and ignores the rest.</summary>
    public static AdminSample Parse(string text)
    {
        var sample = new AdminSample();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            var series = line[..space];
            var brace = series.IndexOf('{');
            var name = brace < 0 ? series : series[..brace];
            var labels = brace < 0 ? "" : series[(brace + 1)..].TrimEnd('}');
            var v = (long)value;
            switch (name)
            {
                case "engine_sessions":
                    sample.Sessions = Math.Max(sample.Sessions, 0) + v;
                    break;
                case "engine_rooms":
                    sample.Rooms = Math.Max(sample.Rooms, 0) + v;
                    break;
                case "engine_sessions_timed_out_total":
                    sample.TimedOut += v;
                    break;
                case "engine_packets_dropped_total" when Label(labels, "reason") is { } reason:
                    sample.Drops[reason] = sample.Drops.GetValueOrDefault(reason) + v;
                    break;
                case "engine_handshakes_total" when Label(labels, "stage") is { } stage:
                    sample.Handshakes[stage] = sample.Handshakes.GetValueOrDefault(stage) + v;
                    break;
                case "engine_overload_level":
                    sample.OverloadLevel = Math.Max(sample.OverloadLevel ?? 0, v);
                    break;
                case "engine_snapshots_sent_total":
                    sample.SnapshotsSent = (sample.SnapshotsSent ?? 0) + v;
                    break;
                case "engine_snapshots_deferred_total":
                    sample.SnapshotsDeferred = (sample.SnapshotsDeferred ?? 0) + v;
                    break;
                case "engine_snapshot_views_reset_total":
                    sample.ViewsReset = (sample.ViewsReset ?? 0) + v;
                    break;
                case "engine_snapshot_encodes_total" when Label(labels, "kind") is { } kind:
                    sample.Encodes[kind] = sample.Encodes.GetValueOrDefault(kind) + v;
                    break;
                default:
                    _ = sample.Gc.TryRead(name, Label(labels, "generation"), value);
                    break;
            }
        }
        return sample;
    }

    /// <summary>Drops per reason between an earlier sample and this one (reasons with none left out).</summary>
    public Dictionary<string, long> DropsSince(AdminSample? earlier)
    {
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in Drops)
        {
            var delta = count - (earlier?.Drops.GetValueOrDefault(reason) ?? 0);
            if (delta > 0)
            {
                d[reason] = delta;
            }
        }
        return d;
    }

    private static string? Label(string labels, string name)
    {
        var key = name + "=\"";
        var at = labels.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var start = at + key.Length;
        var end = labels.IndexOf('"', start);
        return end < 0 ? null : labels[start..end];
    }
}
