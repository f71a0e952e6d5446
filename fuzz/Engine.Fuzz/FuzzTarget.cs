namespace Engine.Fuzz;

/// <summary>
/// One parser family under fuzzing. <see cref="Run"/> feeds it arbitrary bytes and checks the
/// invariants a bug would break; it throws <see cref="FuzzInvariantException"/> (or whatever the
/// code under test threw) only for a real bug, so every crash afl-fuzz reports is one.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The command-line name, also the corpus folder: fuzz/corpus/&lt;name&gt;/.</summary>
    public abstract string Name { get; }

    public abstract void Run(ReadOnlySpan<byte> data);

    /// <summary>Valid inputs built with the real writers, so the seeds follow the format when it changes.</summary>
    public abstract IEnumerable<(string Name, byte[] Data)> Seeds();
}
