using System.Text;
using System.Text.Unicode;
using Engine.Protocol.Rooms;

namespace Engine.Server.Rooms;

/// <summary>Room names: 1 to 32 bytes of valid UTF-8, no control characters, not blank.</summary>
internal static class RoomNames
{
    public static bool TryRead(ReadOnlySpan<byte> bytes, out string name)
    {
        name = "";
        if (bytes.IsEmpty || bytes.Length > RoomLimits.MaxNameBytes || !Utf8.IsValid(bytes))
        {
            return false;
        }
        name = Encoding.UTF8.GetString(bytes);
        return !string.IsNullOrWhiteSpace(name) && !name.Any(char.IsControl);
    }
}
