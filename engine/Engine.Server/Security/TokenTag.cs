using System.Buffers.Binary;
using Engine.Protocol.Security;

namespace Engine.Server.Security;

/// <summary>Names one connect token (or resume ticket): the AES-GCM tag of its sealed private part (unique to each token the backend issues).</summary>
internal readonly record struct TokenTag(ulong Low, ulong High)
{
    public static TokenTag Of(ReadOnlySpan<byte> sealedPrivate) => Read(sealedPrivate.Slice(SecurityConstants.PrivateTokenSize, SecurityConstants.TagSize));

    /// <summary>A 16-byte AES-GCM tag as it is (a resume ticket's names it the same way).</summary>
    public static TokenTag Read(ReadOnlySpan<byte> tag) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(tag), BinaryPrimitives.ReadUInt64LittleEndian(tag.Slice(8)));
}
