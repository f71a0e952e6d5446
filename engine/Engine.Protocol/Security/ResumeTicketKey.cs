using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Engine.Protocol.Security;

/// <summary>
/// Seals and opens resume tickets with the token key the nodes share (AES-256-GCM, as connect tokens'
/// private parts). One per shard thread: the cipher is used by one thread at a time. Opening allocates
/// nothing; sealing is rare (a player moving to another node) and allocates nothing either.
/// </summary>
public sealed class ResumeTicketKey : IDisposable
{
    private readonly AesGcmCipher _aes;
    private readonly ulong _protocolId;

    public ResumeTicketKey(ReadOnlySpan<byte> tokenKey, ulong protocolId)
    {
        if (tokenKey.Length != SecurityConstants.KeySize)
        {
            throw new ArgumentException($"The token key must be {SecurityConstants.KeySize} bytes.", nameof(tokenKey));
        }
        _aes = new AesGcmCipher(tokenKey);
        _protocolId = protocolId;
    }

    /// <summary>
    /// Writes a ticket of <see cref="ResumeTicket.Size"/> bytes for the player with connect-token id
    /// <paramref name="playerId"/> to join room <paramref name="roomId"/> of the node at <paramref name="server"/>.
    /// </summary>
    public int Seal(Span<byte> destination, ulong playerId, IPEndPoint server, uint roomId, bool spectate, ReadOnlySpan<byte> password, long expireUnixSeconds)
    {
        Span<byte> nonce = stackalloc byte[SecurityConstants.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return Seal(destination, playerId, server, roomId, spectate, password, expireUnixSeconds, nonce);
    }

    /// <summary>As above with a given nonce (tests and fuzz seeds need fixed bytes; a nonce must never repeat under the key).</summary>
    internal int Seal(Span<byte> destination, ulong playerId, IPEndPoint server, uint roomId, bool spectate, ReadOnlySpan<byte> password, long expireUnixSeconds,
        ReadOnlySpan<byte> nonce)
    {
        if (password.Length > ResumeTicket.MaxPasswordBytes)
        {
            throw new ArgumentException($"A room password is at most {ResumeTicket.MaxPasswordBytes} bytes.", nameof(password));
        }
        var ticket = destination.Slice(0, ResumeTicket.Size);
        ticket.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ticket, ResumeTicket.Magic);
        ticket[4] = ResumeTicket.Version;
        BinaryPrimitives.WriteInt64LittleEndian(ticket.Slice(5), expireUnixSeconds);
        nonce.CopyTo(ticket.Slice(ResumeTicket.NonceOffset, SecurityConstants.NonceSize));

        Span<byte> plain = stackalloc byte[ResumeTicket.PrivateSize];
        plain.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(plain, playerId);
        BinaryPrimitives.WriteInt64LittleEndian(plain.Slice(ResumeTicket.ExpireOffset), expireUnixSeconds);
        TokenAddress.Write(server, plain.Slice(ResumeTicket.AddressOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(plain.Slice(ResumeTicket.RoomIdOffset), roomId);
        plain[ResumeTicket.FlagsOffset] = spectate ? (byte)1 : (byte)0;
        plain[ResumeTicket.PasswordLengthOffset] = (byte)password.Length;
        password.CopyTo(plain.Slice(ResumeTicket.PasswordOffset));

        Span<byte> associated = stackalloc byte[ResumeTicket.AssociatedDataSize];
        WriteAssociatedData(ticket, associated);
        _aes.Seal(ticket.Slice(ResumeTicket.NonceOffset, SecurityConstants.NonceSize), associated, plain,
            ticket.Slice(ResumeTicket.SealedOffset, ResumeTicket.PrivateSize), ticket.Slice(ResumeTicket.TagOffset, SecurityConstants.TagSize));
        CryptographicOperations.ZeroMemory(plain);
        return ResumeTicket.Size;
    }

    /// <summary>
    /// Opens a ticket into <paramref name="plain"/> (<see cref="ResumeTicket.PrivateSize"/> bytes). Cheap checks
    /// come first, so a malformed or expired ticket costs no decryption. Who may use it (player, node, once)
    /// is the caller's to check with what the ticket says.
    /// </summary>
    public TicketVerdict TryOpen(ReadOnlySpan<byte> ticket, long nowUnixSeconds, Span<byte> plain, out ResumeTicket opened)
    {
        opened = default;
        if (!ResumeTicket.HasTicketShape(ticket))
        {
            return TicketVerdict.Malformed;
        }
        var expires = ResumeTicket.ReadExpiry(ticket);
        if (expires <= nowUnixSeconds)
        {
            return TicketVerdict.Expired;
        }
        Span<byte> associated = stackalloc byte[ResumeTicket.AssociatedDataSize];
        WriteAssociatedData(ticket, associated);
        plain = plain.Slice(0, ResumeTicket.PrivateSize);
        if (!_aes.TryOpen(ticket.Slice(ResumeTicket.NonceOffset, SecurityConstants.NonceSize), associated,
            ticket.Slice(ResumeTicket.SealedOffset, ResumeTicket.PrivateSize), ticket.Slice(ResumeTicket.TagOffset, SecurityConstants.TagSize), plain))
        {
            return TicketVerdict.Invalid;
        }
        if (!ResumeTicket.TryRead(plain, out opened) || opened.ExpireUnixSeconds != expires)
        {
            opened = default;
            return TicketVerdict.Invalid;
        }
        return TicketVerdict.Accepted;
    }

    /// <summary>The 16-byte tag that names a ticket (unique to each one sealed), for remembering it was used.</summary>
    public static ReadOnlySpan<byte> Tag(ReadOnlySpan<byte> ticket) => ticket.Slice(ResumeTicket.TagOffset, SecurityConstants.TagSize);

    private void WriteAssociatedData(ReadOnlySpan<byte> ticket, Span<byte> associated)
    {
        ticket.Slice(0, ResumeTicket.HeaderSize).CopyTo(associated);
        BinaryPrimitives.WriteUInt64LittleEndian(associated.Slice(ResumeTicket.HeaderSize), _protocolId);
    }

    public void Dispose() => _aes.Dispose();
}
