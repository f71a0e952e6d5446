using System.Buffers;
using System.Text;

namespace Engine.Server.Rooms;

/// <summary>Chat text as the server relays it: valid UTF-8 only, control characters removed, at most 256 bytes.</summary>
internal static class ChatText
{
    /// <summary>Writes the cleaned text; returns its length, 0 when nothing printable is left, -1 when the input is not valid UTF-8.</summary>
    public static int Sanitize(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var written = 0;
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(text, out var rune, out var consumed) != OperationStatus.Done)
            {
                return -1;
            }
            text = text.Slice(consumed);
            if (Rune.IsControl(rune))
            {
                continue;
            }
            if (!rune.TryEncodeToUtf8(destination.Slice(written), out var length))
            {
                return -1;
            }
            written += length;
        }
        var trimmed = destination.Slice(0, written).Trim((byte)' ');
        return trimmed.Length == 0 ? 0 : written;
    }
}
