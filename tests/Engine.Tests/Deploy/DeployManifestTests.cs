using System.Text.RegularExpressions;
using Engine.Host.Agones;
using Engine.Host.Configuration;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Engine.Tests.Deploy;

/// <summary>
/// deploy/ cannot be built or applied here (no Docker, no cluster): what can be checked is that the
/// manifests parse, agree with each other and with the engine, and that the engine accepts the
/// configuration they give it.
/// </summary>
public class DeployManifestTests
{
    // What stopping takes after the drain: the disconnects (--shutdown-timeout-ms, 1.5 s), the admin
    // endpoint (0.3 s), Agones' Shutdown (3 s at most); with room to spare.
    private const int StopSeconds = 10;
    private const string TestKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    private static string Repository
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
            {
                directory = directory.Parent;
            }
            return directory?.FullName ?? throw new DirectoryNotFoundException("the repository root (Engine.sln) is not above the test's directory");
        }
    }

    private static List<YamlMappingNode> Documents(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repository, relative))));
        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToList();
    }

    private static YamlNode At(YamlNode node, string path)
    {
        foreach (var step in path.Split('.'))
        {
            node = int.TryParse(step, out var index) ? ((YamlSequenceNode)node).Children[index] : ((YamlMappingNode)node).Children[new YamlScalarNode(step)];
        }
        return node;
    }

    private static string Text(YamlNode node, string path) => ((YamlScalarNode)At(node, path)).Value!;

    private static int Number(YamlNode node, string path) => int.Parse(Text(node, path));

    private static YamlMappingNode Port(YamlNode ports, string name) =>
        ((YamlSequenceNode)ports).Children.Cast<YamlMappingNode>().Single(p => Text(p, "name") == name);

    /// <summary>What the engine makes of a container's args and env (a secret's value stands in for a test key).</summary>
    private static HostSettings Configuration(YamlNode container)
    {
        var args = ((YamlSequenceNode)At(container, "args")).Children.Select(a => ((YamlScalarNode)a).Value!).ToArray();
        var environment = new Dictionary<string, string?>();
        foreach (var variable in ((YamlSequenceNode)At(container, "env")).Children.Cast<YamlMappingNode>())
        {
            var name = Text(variable, "name");
            environment[name] = variable.Children.ContainsKey(new YamlScalarNode("value")) ? Text(variable, "value")
                : name == "ENGINE_TOKEN_KEY" ? TestKey
                : throw new Xunit.Sdk.XunitException($"{name} comes from somewhere the test does not know");
        }
        return ConfigurationLoader.Load(args, environment);
    }

    [Fact]
    public void The_deployment_probes_the_admin_endpoint_and_outlasts_the_drain()
    {
        var deployment = Assert.Single(Documents("deploy/kubernetes/deployment.yaml"));
        Assert.Equal("apps/v1", Text(deployment, "apiVersion"));
        Assert.Equal("Deployment", Text(deployment, "kind"));
        Assert.Equal(Text(deployment, "spec.selector.matchLabels.app"), Text(deployment, "spec.template.metadata.labels.app"));
        var pod = At(deployment, "spec.template.spec");
        var container = At(pod, "containers.0");
        var settings = Configuration(container);

        Assert.False(settings.Server.Insecure);
        Assert.NotNull(settings.Server.ConnectTokenKey);
        var game = Port(At(container, "ports"), "game");
        Assert.Equal("UDP", Text(game, "protocol"));
        Assert.Equal(settings.Server.Port, Number(game, "containerPort"));
        Assert.Equal(settings.Server.Port, Number(game, "hostPort"));

        var admin = Port(At(container, "ports"), "admin");
        Assert.Equal(settings.Admin.Port, Number(admin, "containerPort"));
        Assert.Equal("0.0.0.0", settings.Admin.Bind); // the kubelet probes the pod's address
        Assert.Equal("/readyz", Text(container, "readinessProbe.httpGet.path"));
        Assert.Equal("admin", Text(container, "readinessProbe.httpGet.port"));
        Assert.Equal("/healthz", Text(container, "livenessProbe.httpGet.path"));
        Assert.Equal("admin", Text(container, "livenessProbe.httpGet.port"));
        var annotations = (YamlMappingNode)At(deployment, "spec.template.metadata.annotations");
        Assert.Equal(settings.Admin.Port.ToString(), ((YamlScalarNode)annotations.Children[new YamlScalarNode("prometheus.io/port")]).Value);

        Assert.True(settings.Drain.TimeoutSeconds >= 60, "a drain long enough for a match to finish");
        Assert.True(Number(pod, "terminationGracePeriodSeconds") >= settings.Drain.TimeoutSeconds + StopSeconds,
            $"grace {Number(pod, "terminationGracePeriodSeconds")} s for a {settings.Drain.TimeoutSeconds} s drain");
        Assert.Equal(Text(container, "resources.limits.cpu"), settings.Server.Shards.ToString());
        Assert.Equal(Text(container, "resources.limits.cpu"), Text(container, "resources.requests.cpu"));
    }

    [Fact]
    public void The_fleet_runs_the_engine_under_agones_and_its_autoscaler_scales_that_fleet()
    {
        var documents = Documents("deploy/agones/fleet.yaml");
        Assert.Equal(2, documents.Count);
        var (fleet, autoscaler) = (documents[0], documents[1]);
        Assert.Equal("agones.dev/v1", Text(fleet, "apiVersion"));
        Assert.Equal("Fleet", Text(fleet, "kind"));
        var gameServer = At(fleet, "spec.template.spec");
        var pod = At(gameServer, "template.spec");
        var container = At(pod, "containers.0");
        var settings = Configuration(container);

        Assert.True(settings.Agones.Enabled);
        Assert.Equal(AgonesOptions.DefaultSdkAddress, settings.Agones.SdkAddress); // Agones' port variable overrides it in the pod
        var game = Port(At(gameServer, "ports"), "game");
        Assert.Equal("UDP", Text(game, "protocol"));
        Assert.Equal("Static", Text(game, "portPolicy"));
        Assert.Equal(settings.Server.Port, Number(game, "containerPort"));
        Assert.Equal(settings.Server.Port, Number(game, "hostPort"));
        Assert.True(AgonesLifecycle.HealthInterval.TotalSeconds < Number(gameServer, "health.periodSeconds"));
        Assert.True(Number(pod, "terminationGracePeriodSeconds") >= settings.Drain.TimeoutSeconds + StopSeconds,
            $"grace {Number(pod, "terminationGracePeriodSeconds")} s for a {settings.Drain.TimeoutSeconds} s drain");
        Assert.Equal("/healthz", Text(container, "livenessProbe.httpGet.path"));
        Assert.Equal(settings.Admin.Port, Number(Port(At(container, "ports"), "admin"), "containerPort"));

        Assert.Equal("autoscaling.agones.dev/v1", Text(autoscaler, "apiVersion"));
        Assert.Equal("FleetAutoscaler", Text(autoscaler, "kind"));
        Assert.Equal(Text(fleet, "metadata.name"), Text(autoscaler, "spec.fleetName"));
        Assert.Equal("Buffer", Text(autoscaler, "spec.policy.type"));
        var buffer = At(autoscaler, "spec.policy.buffer");
        Assert.InRange(Number(buffer, "bufferSize"), 1, Number(buffer, "maxReplicas") - 1);
        Assert.InRange(Number(buffer, "minReplicas"), Number(buffer, "bufferSize"), Number(buffer, "maxReplicas"));
    }

    [Fact]
    public void The_dockerfile_publishes_as_build_sh_does_and_runs_the_binary_on_a_base_of_the_same_dotnet()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Repository, "deploy/Dockerfile")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var froms = dockerfile.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, froms.Count);

        // The SDK and the run base match the projects' target framework.
        var framework = Regex.Match(File.ReadAllText(Path.Combine(Repository, "Directory.Build.props")), "<TargetFramework>net(?<v>[0-9.]+)</TargetFramework>").Groups["v"].Value;
        Assert.Equal($"FROM mcr.microsoft.com/dotnet/sdk:{framework} AS build", froms[0]);
        Assert.Equal($"FROM mcr.microsoft.com/dotnet/runtime-deps:{framework}-noble-chiseled", froms[1]);

        // The same publish as build.sh, and the binary it makes is the entry point.
        var publish = Regex.Match(File.ReadAllText(Path.Combine(Repository, "build.sh")), @"dotnet publish (?<project>\S+) -c (?<config>\S+) -r (?<rid>\S+)");
        Assert.True(publish.Success, "build.sh's publish command");
        Assert.Contains(dockerfile, l => l.StartsWith($"RUN dotnet publish {publish.Groups["project"].Value} -c {publish.Groups["config"].Value} -r {publish.Groups["rid"].Value} -o /out", StringComparison.Ordinal));
        Assert.Contains("COPY --from=build /out/engine /usr/local/bin/engine", dockerfile);
        Assert.Equal("ENTRYPOINT [\"/usr/local/bin/engine\"]", dockerfile[^1]);
        Assert.Contains(dockerfile, l => l.StartsWith("EXPOSE ", StringComparison.Ordinal) && l.Contains("7777/udp", StringComparison.Ordinal));

        // Everything copied from the context exists, and what the build writes is kept out of it.
        foreach (var copy in dockerfile.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)))
        {
            var sources = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(Repository, s)) || Directory.Exists(Path.Combine(Repository, s)), $"{s} is not in the repository"));
        }
        var ignored = File.ReadAllLines(Path.Combine(Repository, "deploy/Dockerfile.dockerignore"));
        Assert.Contains("artifacts/", ignored);
        Assert.Contains("**/obj/", ignored);
    }
}
