using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Engine.Protocol.Security;

/// <summary>
/// A short-lived permission to connect, issued by the game's backend for one player with a key it
/// shares with the servers. The client reads the public part (where to connect, the session keys);
/// the private part repeats what matters (player id, expiry, addresses, keys) sealed with AES-256-GCM
/// under the shared key, so only a server can read it and nobody can alter it. The token version,
/// protocol id and expiry are associated data: changing them in the hello breaks the seal.
/// </summary>
public sealed class ConnectToken
{
    /// <summary>"ENGT" read as a little-endian u32.</summary>
    public const uint Magic = 0x54474E45;

    /// <summary>The binary form: magic, version, protocol id, times, player id, timeout, nonce, sealed part, addresses, keys.</summary>
    public const int Size = 4 + 1 + 8 + 8 + 8 + 8 + 4 + SecurityConstants.NonceSize + SecurityConstants.SealedPrivateTokenSize
        + 1 + (SecurityConstants.MaxServerAddresses * SecurityConstants.AddressSize) + (2 * SecurityConstants.KeySize);

    private const int NonceOffset = 41;
    private const int SealedOffset = NonceOffset + SecurityConstants.NonceSize;
    private const int AddressCountOffset = SealedOffset + SecurityConstants.SealedPrivateTokenSize;
    private const int AddressesOffset = AddressCountOffset + 1;
    private const int KeysOffset = AddressesOffset + (SecurityConstants.MaxServerAddresses * SecurityConstants.AddressSize);

    private readonly byte[] _nonce;
    private readonly byte[] _sealedPrivate;
    private readonly byte[] _clientToServerKey;
    private readonly byte[] _serverToClientKey;

    private ConnectToken(ulong protocolId, long createUnixSeconds, long expireUnixSeconds, ulong playerId, int connectTimeoutSeconds,
        IReadOnlyList<IPEndPoint> servers, byte[] nonce, byte[] sealedPrivate, byte[] clientToServerKey, byte[] serverToClientKey)
    {
        ProtocolId = protocolId;
        CreateUnixSeconds = createUnixSeconds;
        ExpireUnixSeconds = expireUnixSeconds;
        PlayerId = playerId;
        ConnectTimeoutSeconds = connectTimeoutSeconds;
        ServerAddresses = servers;
        _nonce = nonce;
        _sealedPrivate = sealedPrivate;
        _clientToServerKey = clientToServerKey;
        _serverToClientKey = serverToClientKey;
    }

    /// <summary>Identifies the game; a server accepts only tokens issued for its own protocol id.</summary>
    public ulong ProtocolId { get; }
    public long CreateUnixSeconds { get; }

    /// <summary>The server refuses the token from this second on.</summary>
    public long ExpireUnixSeconds { get; }
    public ulong PlayerId { get; }

    /// <summary>How long the client keeps trying to connect with this token before giving up.</summary>
    public int ConnectTimeoutSeconds { get; }

    /// <summary>The servers this token admits to (1 to 4); the client connects to the first.</summary>
    public IReadOnlyList<IPEndPoint> ServerAddresses { get; }

    /// <summary>The key that seals what the client sends.</summary>
    public ReadOnlySpan<byte> ClientToServerKey => _clientToServerKey;

    /// <summary>The key that seals what the server sends (its welcome and its session packets).</summary>
    public ReadOnlySpan<byte> ServerToClientKey => _serverToClientKey;

    /// <summary>The AES-GCM nonce of the private part.</summary>
    public ReadOnlySpan<byte> Nonce => _nonce;

    /// <summary>The private part exactly as the hello carries it.</summary>
    public ReadOnlySpan<byte> SealedPrivate => _sealedPrivate;

    /// <summary>
    /// Issues a token: fresh random session keys and nonce, the private part sealed with <paramref name="tokenKey"/>
    /// (the 32-byte key the backend shares with the servers). Thread-safe; allocates (a backend call, not a hot path).
    /// </summary>
    public static ConnectToken Issue(ReadOnlySpan<byte> tokenKey, ulong playerId, IReadOnlyList<IPEndPoint> servers, TimeSpan lifetime,
        ulong protocolId = 0, int connectTimeoutSeconds = 5, DateTimeOffset? now = null)
    {
        if (tokenKey.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"The token key must be {SecurityConstants.KeySize} bytes.", nameof(tokenKey));
        }
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count is 0 or > SecurityConstants.MaxServerAddresses)
        {
            throw new ArgumentException($"A token lists 1 to {SecurityConstants.MaxServerAddresses} server addresses.", nameof(servers));
        }
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "A token must live longer than zero.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connectTimeoutSeconds);
        var created = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return Seal(tokenKey, playerId, servers, protocolId, connectTimeoutSeconds, created, created + (long)Math.Ceiling(lifetime.TotalSeconds),
            RandomNumberGenerator.GetBytes(SecurityConstants.NonceSize),
            RandomNumberGenerator.GetBytes(SecurityConstants.KeySize),
            RandomNumberGenerator.GetBytes(SecurityConstants.KeySize));
    }

    /// <summary>Builds and seals a token from given keys and nonce (fuzz seeds need them fixed; everything else uses <see cref="Issue"/>).</summary>
    internal static ConnectToken Seal(ReadOnlySpan<byte> tokenKey, ulong playerId, IReadOnlyList<IPEndPoint> servers, ulong protocolId, int connectTimeoutSeconds,
        long created, long expires, byte[] nonce, byte[] clientToServer, byte[] serverToClient)
    {
        Span<byte> plain = stackalloc byte[SecurityConstants.PrivateTokenSize];
        plain.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(plain, playerId);
        BinaryPrimitives.WriteInt64LittleEndian(plain.Slice(PrivateToken.ExpireOffset), expires);
        plain[PrivateToken.AddressCountOffset] = (byte)servers.Count;
        for (var i = 0; i < servers.Count; i++)
        {
            TokenAddress.Write(servers[i], plain.Slice(PrivateToken.AddressesOffset + (i * SecurityConstants.AddressSize)));
        }
        clientToServer.CopyTo(plain.Slice(PrivateToken.ClientToServerKeyOffset));
        serverToClient.CopyTo(plain.Slice(PrivateToken.ServerToClientKeyOffset));

        Span<byte> associated = stackalloc byte[SecurityConstants.TokenAssociatedDataSize];
        WriteAssociatedData(associated, SecurityConstants.TokenVersion, protocolId, expires);
        var sealedPrivate = new byte[SecurityConstants.SealedPrivateTokenSize];
        using (var aes = new AesGcmCipher(tokenKey))
        {
            aes.Seal(nonce, associated, plain, sealedPrivate.AsSpan(0, SecurityConstants.PrivateTokenSize),
                sealedPrivate.AsSpan(SecurityConstants.PrivateTokenSize));
        }
        CryptographicOperations.ZeroMemory(plain);
        return new ConnectToken(protocolId, created, expires, playerId, connectTimeoutSeconds, servers.ToArray(), nonce, sealedPrivate, clientToServer, serverToClient);
    }

    /// <summary>The associated data of the private part: token version, protocol id, expiry.</summary>
    public static void WriteAssociatedData(Span<byte> destination, byte version, ulong protocolId, long expireUnixSeconds)
    {
        destination[0] = version;
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(1), protocolId);
        BinaryPrimitives.WriteInt64LittleEndian(destination.Slice(9), expireUnixSeconds);
    }

    /// <summary>Writes the <see cref="Size"/>-byte binary form a backend hands to the client.</summary>
    public int Write(Span<byte> destination)
    {
        var token = destination.Slice(0, Size);
        token.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(token, Magic);
        token[4] = SecurityConstants.TokenVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(token.Slice(5), ProtocolId);
        BinaryPrimitives.WriteInt64LittleEndian(token.Slice(13), CreateUnixSeconds);
        BinaryPrimitives.WriteInt64LittleEndian(token.Slice(21), ExpireUnixSeconds);
        BinaryPrimitives.WriteUInt64LittleEndian(token.Slice(29), PlayerId);
        BinaryPrimitives.WriteInt32LittleEndian(token.Slice(37), ConnectTimeoutSeconds);
        _nonce.CopyTo(token.Slice(NonceOffset));
        _sealedPrivate.CopyTo(token.Slice(SealedOffset));
        token[AddressCountOffset] = (byte)ServerAddresses.Count;
        for (var i = 0; i < ServerAddresses.Count; i++)
        {
            TokenAddress.Write(ServerAddresses[i], token.Slice(AddressesOffset + (i * SecurityConstants.AddressSize)));
        }
        _clientToServerKey.CopyTo(token.Slice(KeysOffset));
        _serverToClientKey.CopyTo(token.Slice(KeysOffset + SecurityConstants.KeySize));
        return Size;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }

    /// <summary>The text form (standard base64 of the binary form), for JSON and command lines.</summary>
    public string ToBase64() => Convert.ToBase64String(ToBytes());

    /// <summary>Reads the binary form; false (never a throw) when it is not a well-formed token of this version.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ConnectToken? token)
    {
        token = null;
        if (source.Length != Size
            || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic
            || source[4] != SecurityConstants.TokenVersion)
        {
            return false;
        }
        var created = BinaryPrimitives.ReadInt64LittleEndian(source.Slice(13));
        var expires = BinaryPrimitives.ReadInt64LittleEndian(source.Slice(21));
        var timeout = BinaryPrimitives.ReadInt32LittleEndian(source.Slice(37));
        int count = source[AddressCountOffset];
        if (expires < created || timeout <= 0 || count is 0 or > SecurityConstants.MaxServerAddresses)
        {
            return false;
        }
        var servers = new IPEndPoint[count];
        for (var i = 0; i < count; i++)
        {
            var server = TokenAddress.Read(source.Slice(AddressesOffset + (i * SecurityConstants.AddressSize), SecurityConstants.AddressSize));
            if (server is null)
            {
                return false;
            }
            servers[i] = server;
        }
        token = new ConnectToken(
            BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(5)), created, expires,
            BinaryPrimitives.ReadUInt64LittleEndian(source.Slice(29)), timeout, servers,
            source.Slice(NonceOffset, SecurityConstants.NonceSize).ToArray(),
            source.Slice(SealedOffset, SecurityConstants.SealedPrivateTokenSize).ToArray(),
            source.Slice(KeysOffset, SecurityConstants.KeySize).ToArray(),
            source.Slice(KeysOffset + SecurityConstants.KeySize, SecurityConstants.KeySize).ToArray());
        return true;
    }

    /// <summary>Reads the base64 text form; false when it is not base64 or not a token.</summary>
    public static bool TryParse(string? text, out ConnectToken? token)
    {
        token = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var bytes = new byte[Size];
        return Convert.TryFromBase64String(text.Trim(), bytes, out var written) && written == Size && TryRead(bytes, out token);
    }

    public static ConnectToken Parse(string text) =>
        TryParse(text, out var token) ? token! : throw new FormatException("Not a connect token (base64 of the binary form, see docs/PROTOCOL.md).");
}
