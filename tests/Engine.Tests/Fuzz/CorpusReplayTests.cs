using Engine.Fuzz;
using Xunit;

namespace Engine.Tests.Fuzz;

/// <summary>
/// Replays the committed fuzz corpus (fuzz/corpus/&lt;target&gt;/) and crash reproducers
/// (fuzz/regressions/&lt;target&gt;/) through the same targets afl-fuzz runs, in-process, so a
/// regression is caught without afl++ installed. Also mutates every seed a few hundred times with a
/// fixed seed: a cheap, deterministic taste of what the fuzzer does. docs/FUZZING.md.
/// </summary>
public sealed class CorpusReplayTests
{
    public static TheoryData<string, string> CorpusFiles() => Files("corpus");

    public static TheoryData<string, string> RegressionFiles() => Files("regressions");

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Corpus_input_passes_its_target(string target, string file) => Replay(target, "corpus", file);

    [Theory]
    [MemberData(nameof(RegressionFiles))]
    public void Regression_input_passes_its_target(string target, string file) => Replay(target, "regressions", file);

    [Fact]
    public void Every_target_has_seeds_and_they_match_the_generator()
    {
        foreach (var name in FuzzTargets.Names)
        {
            var folder = Path.Combine(FuzzRoot(), "corpus", name);
            Assert.True(Directory.Exists(folder), $"no corpus for target {name} at {folder}");
            foreach (var (seed, data) in FuzzTargets.Create(name)!.Seeds())
            {
                var path = Path.Combine(folder, seed);
                Assert.True(File.Exists(path), $"seed {name}/{seed} is not committed; regenerate: dotnet run -c Release --project fuzz/Engine.Fuzz -- seeds fuzz/corpus");
                Assert.True(data.AsSpan().SequenceEqual(File.ReadAllBytes(path)),
                    $"seed {name}/{seed} differs from what the writers produce now (a format changed?); regenerate: dotnet run -c Release --project fuzz/Engine.Fuzz -- seeds fuzz/corpus");
            }
        }
    }

    [Fact]
    public void Mutated_seeds_pass_every_target()
    {
        var random = new Random(20240605);
        foreach (var name in FuzzTargets.Names)
        {
            var target = FuzzTargets.Create(name)!;
            foreach (var (seed, data) in target.Seeds())
            {
                for (var i = 0; i < 300; i++)
                {
                    var input = Mutate(data, random);
                    try
                    {
                        target.Run(input);
                    }
                    catch (Exception ex)
                    {
                        Assert.Fail($"{name}: mutation {i} of seed {seed} fails: {ex.GetType().Name}: {ex.Message}\ninput: {Convert.ToHexString(input)}\n{ex.StackTrace}");
                    }
                }
            }
        }
    }

    private static byte[] Mutate(byte[] data, Random random)
    {
        var bytes = new List<byte>(data);
        var edits = 1 + random.Next(4);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.RemoveRange(at, bytes.Count - at);
                    }
                    break;
            }
        }
        return [.. bytes];
    }

    private static void Replay(string target, string kind, string file)
    {
        var instance = FuzzTargets.Create(target);
        Assert.True(instance is not null, $"fuzz/{kind}/{target}: no such target");
        var path = Path.Combine(FuzzRoot(), kind, target, file);
        var data = File.ReadAllBytes(path);
        try
        {
            instance.Run(data); // throws with the broken invariant or the code's own exception
        }
        catch (Exception ex) when (File.Exists(path + ".md"))
        {
            // A reproducer of a bug not yet fixed carries a note; fail with it, so the failure says what it is.
            Assert.Fail($"{File.ReadLines(path + ".md").First()} (fuzz/{kind}/{target}/{file}.md)\n{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static TheoryData<string, string> Files(string kind)
    {
        var data = new TheoryData<string, string>();
        var folder = Path.Combine(FuzzRoot(), kind);
        if (!Directory.Exists(folder))
        {
            return data;
        }
        foreach (var targetFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(targetFolder).Order(StringComparer.Ordinal))
            {
                if (Path.GetExtension(file) == ".md")
                {
                    continue; // notes next to a reproducer
                }
                data.Add(Path.GetFileName(targetFolder), Path.GetFileName(file));
            }
        }
        return data;
    }

    private static string FuzzRoot()
    {
        var directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "Engine.sln")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new DirectoryNotFoundException("Engine.sln not found above the test binaries.");
        }
        return Path.Combine(directory, "fuzz");
    }
}
