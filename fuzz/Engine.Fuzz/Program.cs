using Engine.Fuzz;
using SharpFuzz;

// Verbs (docs/FUZZING.md):
//   list                             the target names
//   run <target>                     under afl-fuzz: SharpFuzz's persistent fork-server loop
//   replay <target> <file|dir>...    run inputs in-process; prints each failure, exit 1 if any
//   seeds <corpus-dir>               write the seed corpus, <corpus-dir>/<target>/<seed>, from the real writers
return args switch
{
    ["list"] => List(),
    ["run", var name] => Run(name),
    ["replay", var name, .. var paths] when paths.Length > 0 => Replay(name, paths),
    ["seeds", var directory] => Seeds(directory),
    _ => Usage(),
};

static int List()
{
    foreach (var name in FuzzTargets.Names)
    {
        Console.WriteLine(name);
    }
    return 0;
}

static int Run(string name)
{
    if (!FuzzTargets.Names.Contains(name))
    {
        return Unknown(name);
    }
    // Instrumented code may run only inside Fuzzer.Run, once afl's coverage map is attached (before
    // that the process dies with an access violation), and some targets run protocol code when built.
    FuzzTarget? target = null;
    var buffer = new MemoryStream();
    Fuzzer.Run(stream =>
    {
        target ??= FuzzTargets.Create(name)!;
        buffer.SetLength(0);
        stream.CopyTo(buffer);
        target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}

static int Replay(string name, string[] paths)
{
    if (FuzzTargets.Create(name) is not { } target)
    {
        return Unknown(name);
    }
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    var failed = 0;
    foreach (var file in files)
    {
        var data = File.ReadAllBytes(file);
        try
        {
            target.Run(data);
        }
        catch (Exception ex)
        {
            failed++;
            Console.WriteLine($"FAIL {name} {file} ({data.Length} bytes)");
            Console.WriteLine($"  input: {Convert.ToHexString(data)}");
            Console.WriteLine($"  {ex.GetType().Name}: {ex.Message}");
            Console.WriteLine(ex.StackTrace);
        }
    }
    Console.WriteLine($"{name}: {files.Count - failed}/{files.Count} inputs pass");
    return failed == 0 ? 0 : 1;
}

static int Seeds(string directory)
{
    foreach (var name in FuzzTargets.Names)
    {
        var target = FuzzTargets.Create(name)!;
        var folder = Path.Combine(directory, name);
        Directory.CreateDirectory(folder);
        foreach (var (seed, data) in target.Seeds())
        {
            target.Run(data); // a seed that fails its own target is a bug in the seed or the code
            File.WriteAllBytes(Path.Combine(folder, seed), data);
        }
    }
    return 0;
}

static int Unknown(string name)
{
    Console.Error.WriteLine($"unknown target '{name}'; targets: {string.Join(", ", FuzzTargets.Names)}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Engine.Fuzz list | run <target> | replay <target> <file|dir>... | seeds <corpus-dir>");
    return 2;
}
