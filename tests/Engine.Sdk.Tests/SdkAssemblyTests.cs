using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Engine.Client;
using Engine.Protocol;
using Xunit;

namespace Engine.Sdk.Tests;

/// <summary>
/// What the SDK's assemblies for this target reference, read from their metadata: on netstandard2.1
/// nothing but netstandard (Unity and IL2CPP have nothing else) and nothing IL2CPP cannot compile;
/// on net8.0 nothing newer than .NET 8 (Godot 4 runs on it).
/// </summary>
public sealed class SdkAssemblyTests
{
    private static readonly string s_target = typeof(SdkAssemblyTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SdkTargetFramework").Value!;

    public static TheoryData<string> Assemblies => new() { typeof(EngineClient).Assembly.Location, typeof(ClientState).Assembly.Location };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void References_only_what_the_target_provides(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetAssemblyReference(h))
            .Select(r => (Name: metadata.GetString(r.Name), r.Version)).ToList();
        Assert.NotEmpty(references);
        foreach (var (name, version) in references)
        {
            if (s_target == "netstandard2.1")
            {
                Assert.Contains(name, new[] { "netstandard", "Engine.Protocol" });
            }
            else
            {
                Assert.True(name == "Engine.Protocol" || version.Major <= 8, $"{name} {version}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Uses_no_run_time_code_generation_or_hardware_intrinsics_on_netstandard(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        var namespaces = metadata.TypeReferences.Select(h => metadata.GetString(metadata.GetTypeReference(h).Namespace)).Distinct().ToList();
        Assert.Contains("System", namespaces);
        // Emit has no IL2CPP implementation; intrinsics do not exist on Mono; on net8.0 intrinsics are fine (guarded).
        Assert.DoesNotContain(namespaces, n => n.StartsWith("System.Reflection.Emit", StringComparison.Ordinal));
        if (s_target == "netstandard2.1")
        {
            Assert.DoesNotContain(namespaces, n => n.StartsWith("System.Runtime.Intrinsics", StringComparison.Ordinal));
        }
    }
}
