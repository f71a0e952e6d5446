using System.Text.Json;

namespace Engine.LoadTest.Fleet;

/// <summary>One HTTP exchange with the backend: the status (0 when no answer came), the JSON body when there was one, and how long it took.</summary>
internal readonly record struct BackendAnswer(int Status, JsonElement Body, long ElapsedUs)
{
    public bool Ok => Status == 200;
}
