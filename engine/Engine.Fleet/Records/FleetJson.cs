using System.Text.Json.Serialization;

namespace Engine.Fleet.Records;

/// <summary>The directory's JSON, source-generated (no reflection: the `engine` binary is native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(NodeRecord))]
internal sealed partial class FleetJson : JsonSerializerContext;
