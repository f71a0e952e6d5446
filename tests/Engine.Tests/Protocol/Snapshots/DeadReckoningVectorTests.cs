using System.Globalization;
using System.Text;
using CsCheck;
using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Xunit;
using Entity = Engine.Tests.Protocol.Snapshots.DeadReckoningSpec.Entity;

namespace Engine.Tests.Protocol.Snapshots;

/// <summary>
/// docs/vectors/dead-reckoning.json, the test vectors other-language clients check their dead
/// reckoning against: made by the engine's own code (<see cref="FixedMath"/>,
/// <see cref="Movement.WalkVelocity"/>, <see cref="SnapshotPrediction.Extrapolate"/>), so this test
/// fails when the code and the file disagree; and the document's pseudo-code
/// (<see cref="DeadReckoningSpec"/>) must give the same numbers. After an intended change of the
/// rule, regenerate the file with ENGINE_WRITE_VECTORS=1 and bump the protocol version.
/// </summary>
public class DeadReckoningVectorTests
{
    private const string VectorFile = "docs/vectors/dead-reckoning.json";

    [Fact]
    public void The_checked_in_vectors_are_what_the_engine_computes()
    {
        var generated = Generate();
        var path = RepositoryPaths.Of(VectorFile);
        if (Environment.GetEnvironmentVariable("ENGINE_WRITE_VECTORS") == "1")
        {
            File.WriteAllText(path, generated);
        }
        Assert.True(File.Exists(path), $"{VectorFile} is missing: run this test with ENGINE_WRITE_VECTORS=1");
        var committed = File.ReadAllText(path);
        Assert.True(committed == generated, $"{VectorFile} differs from what the engine computes: if the change is intended, regenerate it (ENGINE_WRITE_VECTORS=1) and bump the protocol version");
    }

    [Fact]
    public void The_documented_sine_table_is_the_engines_at_every_angle()
    {
        for (var angle = 0; angle < 65536; angle++)
        {
            Assert.Equal(DeadReckoningSpec.Sin(angle), FixedMath.Sin((ushort)angle));
            Assert.Equal(DeadReckoningSpec.Cos(angle), FixedMath.Cos((ushort)angle));
        }
    }

    [Fact]
    public void The_documented_walk_is_the_engines_for_every_stick_at_many_headings()
    {
        for (var forward = -128; forward <= 127; forward++)
        {
            for (var right = -128; right <= 127; right++)
            {
                var yaw = (ushort)((forward * 7919) ^ (right * 104729));
                var engine = Movement.WalkVelocity(forward, right, yaw, ArenaSettings.Default.MoveSpeed);
                Assert.Equal(DeadReckoningSpec.Walk(forward, right, yaw, 6000), ((long)engine.X, (long)engine.Z));
            }
        }
    }

    [Fact]
    public void The_documented_extrapolation_is_the_engines_for_any_entity()
    {
        var motion = Gen.Select(Gen.Int[-60_000, 60_000], Gen.Int[-500, 21_000], Gen.Int[-60_000, 60_000], Gen.Int[-8_000, 8_000], Gen.Int[-50_000, 8_000], Gen.Int[-8_000, 8_000]);
        var intent = Gen.Select(Gen.Int[0, 65535], Gen.Int[0, 3], Gen.OneOf(Gen.Const(0), Gen.Int[-3000, 3000]), Gen.Int[-128, 127], Gen.Int[-128, 127]);
        var entities = Gen.Select(motion, intent, (p, i) => new Entity(p.Item1, p.Item2, p.Item3, p.Item4, p.Item5, p.Item6, i.Item1, i.Item2, i.Item3, i.Item4, i.Item5));
        Gen.Select(entities, Gen.OneOf(Gen.Const(20), Gen.Const(30), Gen.Const(60), Gen.Int[1, 240]), Gen.OneOf(Gen.Int[1, 130], Gen.Const(10_000), Gen.Const(10_001)))
            .Sample((entity, rate, ticks) => Assert.Equal(DeadReckoningSpec.Extrapolate(entity, ticks, rate), EngineExtrapolate(entity, (uint)ticks, rate)), iter: 3_000);
    }

    /// <summary>The vector file as the engine computes it: cases chosen for the rule's corners, then pseudo-random ones.</summary>
    private static string Generate()
    {
        var json = new StringBuilder();
        json.Append("{\n");
        json.Append("  \"about\": \"Dead reckoning of the movement arena, as docs/PROTOCOL.md specifies it (section Snapshots, Dead reckoning). Computed by the engine; tests/Engine.Tests/Protocol/Snapshots/DeadReckoningVectorTests.cs keeps this file and the engine in step.\",\n");
        json.Append("  \"protocolVersion\": ").Append(Engine.Protocol.Wire.ProtocolConstants.Version).Append(",\n");

        long sum = 0;
        var fnv = 14695981039346656037UL;
        for (var i = 0; i <= 16384; i++)
        {
            var entry = FixedMath.Sin((ushort)i);
            sum += entry;
            foreach (var b in BitConverter.GetBytes((short)entry))
            {
                fnv = (fnv ^ b) * 1099511628211UL;
            }
        }
        json.Append("  \"quarterSineTable\": {\"entries\": 16385, \"sum\": ").Append(sum).Append(", \"fnv1a64OfInt16LittleEndian\": \"").Append(fnv.ToString("x16", CultureInfo.InvariantCulture)).Append("\"},\n");

        json.Append("  \"sinCos\": [\n");
        var angles = new List<int> { 0, 1, 2, 3, 100, 1000, 4096, 8191, 8192, 10923, 16383, 16384, 16385, 21845, 32767, 32768, 32769, 49151, 49152, 49153, 65535 };
        var random = new SplitMix(0x5EED);
        while (angles.Count < 64)
        {
            angles.Add((int)(random.Next() & 0xFFFF));
        }
        AppendLines(json, angles.Select(a => $"{{\"angle\": {a}, \"sin\": {FixedMath.Sin((ushort)a)}, \"cos\": {FixedMath.Cos((ushort)a)}}}"));

        json.Append("  \"walk\": [\n");
        var sticks = new List<(int Forward, int Right, int Yaw)>
        {
            (127, 0, 0), (0, 127, 0), (127, 0, 16384), (0, 127, 16384), (-127, 0, 0), (127, 127, 0), (127, 127, 8192), (-128, -128, 12345),
            (90, 90, 0), (89, 90, 0), (100, -100, 40000), (1, 0, 0), (3, -5, 65535), (-128, 0, 32768), (127, -128, 777),
        };
        while (sticks.Count < 64)
        {
            sticks.Add(((int)(random.Next() % 256) - 128, (int)(random.Next() % 256) - 128, (int)(random.Next() & 0xFFFF)));
        }
        AppendLines(json, sticks.Select(s =>
        {
            var (vx, vz) = Movement.WalkVelocity(s.Forward, s.Right, (ushort)s.Yaw, 6000);
            return $"{{\"forward\": {s.Forward}, \"right\": {s.Right}, \"yaw\": {s.Yaw}, \"speed\": 6000, \"vx\": {vx}, \"vz\": {vz}}}";
        }));

        json.Append("  \"extrapolate\": [\n");
        var cases = new List<(Entity Entity, int Rate, int Ticks, string Note)>
        {
            (new Entity(1000, 0, 2000, 6000, 0, 0, 16384, 1, 0, 127, 0), 60, 9, "running straight along +x, grounded"),
            (new Entity(-1000, 0, 500, -6001, 0, 4243, 0, 1, 0, 0, 0), 60, 9, "negative velocity: each tick's step truncates toward zero"),
            (new Entity(0, 0, 0, 0, 0, 6000, 0, 1, 300, 127, 0), 60, 20, "turning steadily, stick forward"),
            (new Entity(0, 0, 0, 4242, 0, 4242, 8192, 1, -500, 127, 127), 60, 30, "turning, diagonal stick: capped at length 127"),
            (new Entity(100, 0, 100, -4242, 0, 4242, 12345, 1, 77, -128, -128), 30, 15, "turning, stick (-128, -128) taken as (-127, -127)"),
            (new Entity(49900, 0, 0, 6000, 0, 0, 16384, 1, 0, 127, 0), 60, 1, "ends exactly on the wall: touching is not a clamp, velocity kept"),
            (new Entity(49900, 0, 0, 6000, 0, 0, 16384, 1, 0, 127, 0), 60, 2, "runs into the wall: clamped, velocity into it zeroed"),
            (new Entity(-49950, 0, 49990, -6000, 0, 6000, 0, 1, 0, 0, 0), 60, 5, "runs into two walls"),
            (new Entity(49000, 0, 0, 6000, 0, 0, 16384, 1, 1, 127, 0), 60, 30, "turning into the wall"),
            (new Entity(0, 83, 0, 0, 4837, 0, 0, 0, 0, 0, 0), 60, 12, "just jumped: rising"),
            (new Entity(0, 1000, 0, 0, 5000, 0, 0, 0, 0, 0, 0), 60, 120, "jump arc: lands, grounded from then on"),
            (new Entity(0, 19990, 0, 0, 5000, 0, 0, 0, 0, 0, 0), 60, 3, "hits the ceiling"),
            (new Entity(0, 20000, 0, 0, -49990, 0, 0, 0, 0, 0, 0), 60, 10, "falling at terminal speed"),
            (new Entity(500, 3000, -500, 1500, -2000, 1500, 8192, 2, 250, 90, -60), 20, 40, "turning in the air at 20 Hz; flag bit 1 kept as it is"),
            (new Entity(500, 3000, -500, 1500, -2000, 1500, 8192, 0, 250, 90, -60), 128, 1, "one tick at 128 Hz"),
            (new Entity(60000, 0, -70000, 0, 0, 0, 0, 1, 0, 0, 0), 60, 1, "outside the box, standing: clamped, nothing else"),
            (new Entity(123, 4000, 456, 6000, 100, 6000, 1, 0, 5, 127, 127), 60, 10000, "10000 ticks: the most that is extrapolated"),
            (new Entity(123, 4000, 456, 6000, 100, 6000, 1, 0, 5, 127, 127), 60, 10001, "more than 10000 ticks: the baseline as it is"),
        };
        for (var i = 0; i < 64; i++)
        {
            var entity = new Entity(
                Range(random, -50_000, 50_000), random.Next() % 3 == 0 ? 0 : Range(random, 0, 20_000), Range(random, -50_000, 50_000),
                Range(random, -6_000, 6_000), Range(random, -50_000, 5_000), Range(random, -6_000, 6_000),
                Range(random, 0, 65535), random.Next() % 2 == 0 ? 1 : 0, random.Next() % 2 == 0 ? 0 : Range(random, -1500, 1500),
                Range(random, -128, 127), Range(random, -128, 127));
            var rates = new[] { 20, 30, 60, 64, 128 };
            cases.Add((entity, rates[random.Next() % (ulong)rates.Length], (int)Range(random, 1, 120), "pseudo-random"));
        }
        AppendLines(json, cases.Select(c =>
        {
            var after = EngineExtrapolate(c.Entity, (uint)c.Ticks, c.Rate);
            return $"{{\"note\": \"{c.Note}\", \"tickRate\": {c.Rate}, \"ticks\": {c.Ticks}, \"before\": {Fields(c.Entity)}, \"after\": {Fields(after)}}}";
        }), last: true);
        json.Append("}\n");
        return json.ToString();
    }

    private static void AppendLines(StringBuilder json, IEnumerable<string> lines, bool last = false)
    {
        json.Append(string.Join(",\n", lines.Select(l => "    " + l))).Append('\n');
        json.Append(last ? "  ]\n" : "  ],\n");
    }

    private static string Fields(Entity e) =>
        $"{{\"x\": {e.X}, \"y\": {e.Y}, \"z\": {e.Z}, \"vx\": {e.Vx}, \"vy\": {e.Vy}, \"vz\": {e.Vz}, \"yaw\": {e.Yaw}, \"flags\": {e.Flags}, \"yawRate\": {e.YawRate}, \"stickForward\": {e.Forward}, \"stickRight\": {e.Right}}}";

    /// <summary>The engine's dead reckoning of one entity, through a real frame.</summary>
    private static Entity EngineExtrapolate(Entity e, uint ticks, int tickRate)
    {
        var baseline = new SnapshotFrame(1) { Tick = 1000 };
        var predicted = new SnapshotFrame(1);
        baseline.Add(0);
        baseline.Set(0, SnapshotField.PositionX, (int)e.X);
        baseline.Set(0, SnapshotField.PositionY, (int)e.Y);
        baseline.Set(0, SnapshotField.PositionZ, (int)e.Z);
        baseline.Set(0, SnapshotField.VelocityX, (int)e.Vx);
        baseline.Set(0, SnapshotField.VelocityY, (int)e.Vy);
        baseline.Set(0, SnapshotField.VelocityZ, (int)e.Vz);
        baseline.Set(0, SnapshotField.Yaw, (int)e.Yaw);
        baseline.Set(0, SnapshotField.Flags, (int)e.Flags);
        baseline.Set(0, SnapshotField.YawRate, (int)e.YawRate);
        baseline.Set(0, SnapshotField.Stick, ArenaSnapshot.PackStick((sbyte)e.Forward, (sbyte)e.Right));
        SnapshotPrediction.Extrapolate(baseline, ticks, tickRate, predicted);
        var stick = predicted.Get(0, SnapshotField.Stick);
        return new Entity(
            predicted.Get(0, SnapshotField.PositionX), predicted.Get(0, SnapshotField.PositionY), predicted.Get(0, SnapshotField.PositionZ),
            predicted.Get(0, SnapshotField.VelocityX), predicted.Get(0, SnapshotField.VelocityY), predicted.Get(0, SnapshotField.VelocityZ),
            predicted.Get(0, SnapshotField.Yaw), predicted.Get(0, SnapshotField.Flags), predicted.Get(0, SnapshotField.YawRate),
            ArenaSnapshot.StickForward(stick), ArenaSnapshot.StickRight(stick));
    }

    private static long Range(SplitMix random, long min, long max) => min + (long)(random.Next() % (ulong)(max - min + 1));

    /// <summary>SplitMix64: the same numbers on every runtime, so the file is reproducible.</summary>
    private sealed class SplitMix(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
