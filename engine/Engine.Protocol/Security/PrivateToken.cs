using System.Buffers.Binary;

namespace Engine.Protocol.Security;

/// <summary>The opened private part of a connect token, read in place (the server reads it without allocating).</summary>
public readonly ref struct PrivateToken
{
    internal const int ExpireOffset = 8;
    internal const int AddressCountOffset = 16;
    internal const int AddressesOffset = 17;
    internal const int ClientToServerKeyOffset = AddressesOffset + (SecurityConstants.MaxServerAddresses * SecurityConstants.AddressSize);
    internal const int ServerToClientKeyOffset = ClientToServerKeyOffset + SecurityConstants.KeySize;
    private const int ReservedOffset = ServerToClientKeyOffset + SecurityConstants.KeySize;

    private readonly ReadOnlySpan<byte> _plain;

    private PrivateToken(ReadOnlySpan<byte> plain)
    {
        _plain = plain;
    }

    public ulong PlayerId => BinaryPrimitives.ReadUInt64LittleEndian(_plain);
    public long ExpireUnixSeconds => BinaryPrimitives.ReadInt64LittleEndian(_plain.Slice(ExpireOffset));
    public int AddressCount => _plain[AddressCountOffset];
    public ReadOnlySpan<byte> ClientToServerKey => _plain.Slice(ClientToServerKeyOffset, SecurityConstants.KeySize);
    public ReadOnlySpan<byte> ServerToClientKey => _plain.Slice(ServerToClientKeyOffset, SecurityConstants.KeySize);

    /// <summary>The encoded address number <paramref name="index"/> (see <see cref="TokenAddress"/>).</summary>
    public ReadOnlySpan<byte> Address(int index) => _plain.Slice(AddressesOffset + (index * SecurityConstants.AddressSize), SecurityConstants.AddressSize);

#if NET // the server's side: netstandard2.1 builds only clients
    /// <summary>Whether any listed address names this server.</summary>
    public bool Lists(in ServerIdentity server)
    {
        for (var i = 0; i < AddressCount; i++)
        {
            if (TokenAddress.Matches(Address(i), server))
            {
                return true;
            }
        }
        return false;
    }
#endif

    /// <summary>Checks the structure of an opened private part (a correct backend always passes; this guards against a buggy one).</summary>
    public static bool TryRead(ReadOnlySpan<byte> plain, out PrivateToken token)
    {
        token = default;
        if (plain.Length != SecurityConstants.PrivateTokenSize)
        {
            return false;
        }
        int count = plain[AddressCountOffset];
        if (count is 0 or > SecurityConstants.MaxServerAddresses || plain.Slice(ReservedOffset).ContainsAnyExcept((byte)0))
        {
            return false;
        }
        token = new PrivateToken(plain);
        return true;
    }
}
