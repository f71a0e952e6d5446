using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.LoadTest.Distributed;

/// <summary>The messages' JSON, source-generated; the counters are a struct of public fields; a CPU figure may be NaN.</summary>
[JsonSourceGenerationOptions(IncludeFields = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(AgentHello))]
[JsonSerializable(typeof(AgentShare))]
[JsonSerializable(typeof(AgentSecond))]
[JsonSerializable(typeof(AgentDone))]
internal sealed partial class DistributedJson : JsonSerializerContext
{
    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, typeof(T), Default);

    /// <summary>The message, or null when the bytes are not one (another version's, or not ours).</summary>
    public static T? Read<T>(byte[]? bytes)
        where T : class
    {
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, typeof(T), Default) as T;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
