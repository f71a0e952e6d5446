using System.Globalization;

namespace Engine.LoadTest.Attack;

/// <summary>Each attack kind's share of the attack's packets, normalised to sum to 1.</summary>
internal sealed class AttackMix
{
    private readonly double[] _shares;

    private AttackMix(double[] weights)
    {
        var total = weights.Sum();
        _shares = [.. weights.Select(w => total > 0 ? w / total : 0)];
    }

    public static AttackMix Default { get; } = new([20, 10, 15, 5, 20, 15, 15]);

    public double Share(AttackKind kind) => _shares[(int)kind];

    /// <summary>"garbage=20,oversized=10,...": weights, any scale; kinds left out send nothing.</summary>
    public static AttackMix Parse(string text)
    {
        var weights = new double[AttackKinds.Count];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0 || !AttackKinds.TryParse(part[..eq], out var kind)
                || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || weight < 0 || double.IsInfinity(weight))
            {
                throw new UsageException($"--attack-mix wants kind=weight pairs of {string.Join(", ", Enumerable.Range(0, AttackKinds.Count).Select(k => AttackKinds.Name((AttackKind)k)))}; got '{part}'");
            }
            weights[(int)kind] = weight;
        }
        if (weights.Sum() <= 0)
        {
            throw new UsageException("--attack-mix: at least one kind needs a weight above 0");
        }
        return new AttackMix(weights);
    }

    public override string ToString() => string.Join(",", Enumerable.Range(0, AttackKinds.Count)
        .Select(k => $"{AttackKinds.Name((AttackKind)k)}={(_shares[k] * 100).ToString("0.#", CultureInfo.InvariantCulture)}%"));
}
