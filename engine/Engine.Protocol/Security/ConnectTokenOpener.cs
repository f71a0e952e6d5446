namespace Engine.Protocol.Security;

/// <summary>
/// The server's side of connect tokens: opens the sealed private part a hello carries with the key
/// shared with the backend. One instance per shard thread (the cipher is used by one thread at a time);
/// opening allocates nothing.
/// </summary>
public sealed class ConnectTokenOpener : IDisposable
{
    private readonly AesGcmCipher _aes;
    private readonly ulong _protocolId;

    public ConnectTokenOpener(ReadOnlySpan<byte> tokenKey, ulong protocolId)
    {
        if (tokenKey.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"The token key must be {SecurityConstants.KeySize} bytes.", nameof(tokenKey));
        }
        _aes = new AesGcmCipher(tokenKey);
        _protocolId = protocolId;
    }

    /// <summary>
    /// Checks the public fields, then opens the private part into <paramref name="plain"/>
    /// (<see cref="SecurityConstants.PrivateTokenSize"/> bytes). Cheap checks come first, so an expired or
    /// foreign token costs no decryption.
    /// </summary>
    public DropReason TryOpen(byte version, ulong protocolId, long expireUnixSeconds, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedPrivate,
        long nowUnixSeconds, Span<byte> plain, out PrivateToken token)
    {
        token = default;
        if (version != SecurityConstants.TokenVersion || protocolId != _protocolId)
        {
            return DropReason.InvalidToken;
        }
        if (expireUnixSeconds <= nowUnixSeconds)
        {
            return DropReason.ExpiredToken;
        }
        if (nonce.Length != SecurityConstants.NonceSize || sealedPrivate.Length != SecurityConstants.SealedPrivateTokenSize)
        {
            return DropReason.InvalidToken;
        }
        Span<byte> associated = stackalloc byte[SecurityConstants.TokenAssociatedDataSize];
        ConnectToken.WriteAssociatedData(associated, version, protocolId, expireUnixSeconds);
        plain = plain.Slice(0, SecurityConstants.PrivateTokenSize);
        if (!_aes.TryOpen(nonce, associated, sealedPrivate.Slice(0, SecurityConstants.PrivateTokenSize),
            sealedPrivate.Slice(SecurityConstants.PrivateTokenSize), plain))
        {
            return DropReason.InvalidToken;
        }
        if (!PrivateToken.TryRead(plain, out token) || token.ExpireUnixSeconds != expireUnixSeconds)
        {
            return DropReason.InvalidToken;
        }
        return DropReason.None;
    }

    public void Dispose() => _aes.Dispose();
}
