using System.Globalization;

namespace Engine.LoadTest.Reports;

/// <summary>One number of the summary: its key in summary.json, how the report labels it, and which way is better.</summary>
internal sealed record Figure(string Key, string Label, double Value, string Unit, bool LowerIsBetter, string Format = "0.##")
{
    public string Formatted => double.IsNaN(Value) ? "n/a" : Value.ToString(Format, CultureInfo.InvariantCulture) + (Unit.Length > 0 ? " " + Unit : "");

    /// <summary>"+12.5% (worse)" against a baseline value, or empty when there is none.</summary>
    public string Change(double? baseline)
    {
        if (baseline is not double b || double.IsNaN(b) || double.IsNaN(Value))
        {
            return "";
        }
        var delta = Value - b;
        if (delta == 0)
        {
            return "no change";
        }
        var inv = CultureInfo.InvariantCulture;
        var relative = b != 0 ? (delta / Math.Abs(b) * 100).ToString("+0.0;-0.0", inv) + "%" : delta.ToString("+0.##;-0.##", inv);
        var better = LowerIsBetter ? delta < 0 : delta > 0;
        return $"{relative} ({(better ? "better" : "worse")})";
    }
}

/// <summary>A pass/fail line of the issue's targets; one without data (an attached server without stats, say) is neither.</summary>
internal sealed record Target(string Name, string Goal, string Measured, bool Met, bool HasData = true)
{
    /// <summary>A target on one figure: "not measured" when the figure is NaN, else <paramref name="met"/> of the value.</summary>
    public static Target On(string name, string goal, double value, Func<double, string> measured, Func<double, bool> met) =>
        double.IsNaN(value) ? new(name, goal, "not measured", false, HasData: false) : new(name, goal, measured(value), met(value));

    /// <summary>"MET", "MISSED" or "NOT MEASURED", for the console.</summary>
    public string Verdict => !HasData ? "NOT MEASURED" : Met ? "MET " : "MISSED";
}
