using System.Buffers.Binary;
using Engine.Protocol.Security;

namespace Engine.Server.Security;

/// <summary>Names one connect token: the AES-GCM tag of its sealed private part (unique to each token the backend issues).</summary>
internal readonly record struct TokenTag(ulong Low, ulong High)
{
    public static TokenTag Of(ReadOnlySpan<byte> sealedPrivate)
    {
        var tag = sealedPrivate.Slice(SecurityConstants.PrivateTokenSize, SecurityConstants.TagSize);
        return new TokenTag(BinaryPrimitives.ReadUInt64LittleEndian(tag), BinaryPrimitives.ReadUInt64LittleEndian(tag.Slice(8)));
    }
}
