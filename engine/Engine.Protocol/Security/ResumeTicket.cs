using System.Buffers.Binary;

namespace Engine.Protocol.Security;

/// <summary>
/// A resume ticket: what a node hands a player it redirects to a room on another node, for that node
/// to act on. The client carries it without reading it; only the nodes, which share the token key,
/// can open it (ResumeTicketKey, on the servers). This is the format and the opened part, read in place.
/// </summary>
/// <remarks>
/// Binary form (<see cref="Size"/> bytes): magic "ENGR", version, expiry (unix seconds, i64), the
/// 12-byte nonce, then the private part encrypted with AES-256-GCM under the token key and its tag.
/// Associated data: magic, version and expiry as they are on the wire, then the protocol id (u64).
/// </remarks>
public readonly ref struct ResumeTicket
{
    /// <summary>"ENGR" read as a little-endian u32.</summary>
    public const uint Magic = 0x52474E45;
    public const byte Version = 1;

    /// <summary>Token player id, expiry, target address, room id, flags, password length and bytes, reserved zeros.</summary>
    public const int PrivateSize = 8 + 8 + SecurityConstants.AddressSize + 4 + 1 + 1 + MaxPasswordBytes + 7;

    /// <summary>Magic, version, expiry, nonce, the encrypted private part, its tag.</summary>
    public const int Size = HeaderSize + SecurityConstants.NonceSize + PrivateSize + SecurityConstants.TagSize;

    /// <summary>A room password is at most this long (the rooms' own limit).</summary>
    public const int MaxPasswordBytes = 64;

    internal const int HeaderSize = 4 + 1 + 8;
    internal const int NonceOffset = HeaderSize;
    internal const int SealedOffset = NonceOffset + SecurityConstants.NonceSize;
    internal const int TagOffset = SealedOffset + PrivateSize;
    internal const int AssociatedDataSize = HeaderSize + 8;

    internal const int ExpireOffset = 8;
    internal const int AddressOffset = 16;
    internal const int RoomIdOffset = AddressOffset + SecurityConstants.AddressSize;
    internal const int FlagsOffset = RoomIdOffset + 4;
    internal const int PasswordLengthOffset = FlagsOffset + 1;
    internal const int PasswordOffset = PasswordLengthOffset + 1;
    private const int ReservedOffset = PasswordOffset + MaxPasswordBytes;

    private readonly ReadOnlySpan<byte> _plain;

    private ResumeTicket(ReadOnlySpan<byte> plain)
    {
        _plain = plain;
    }

    /// <summary>The connect token's player id of the player it was issued to: only their session may present it.</summary>
    public ulong PlayerId => BinaryPrimitives.ReadUInt64LittleEndian(_plain);
    public long ExpireUnixSeconds => BinaryPrimitives.ReadInt64LittleEndian(_plain.Slice(ExpireOffset));

    /// <summary>The node it is for, in a connect token's 19-byte address form (see <see cref="TokenAddress"/>).</summary>
    public ReadOnlySpan<byte> Address => _plain.Slice(AddressOffset, SecurityConstants.AddressSize);

    /// <summary>The room to join, the target node's own id for it.</summary>
    public uint RoomId => BinaryPrimitives.ReadUInt32LittleEndian(_plain.Slice(RoomIdOffset));
    public bool Spectate => (_plain[FlagsOffset] & 1) != 0;

    /// <summary>The password the player gave (empty for none): the target node checks it, as for any join.</summary>
    public ReadOnlySpan<byte> Password => _plain.Slice(PasswordOffset, _plain[PasswordLengthOffset]);

    /// <summary>Checks the structure of an opened private part (a correct issuer always passes).</summary>
    public static bool TryRead(ReadOnlySpan<byte> plain, out ResumeTicket ticket)
    {
        ticket = default;
        if (plain.Length != PrivateSize || plain[PasswordLengthOffset] > MaxPasswordBytes || (plain[FlagsOffset] & ~1) != 0
            || plain.Slice(ReservedOffset).ContainsAnyExcept((byte)0)
            || plain.Slice(PasswordOffset + plain[PasswordLengthOffset], MaxPasswordBytes - plain[PasswordLengthOffset]).ContainsAnyExcept((byte)0))
        {
            return false;
        }
        ticket = new ResumeTicket(plain);
        return true;
    }

    /// <summary>Whether the bytes have a ticket's size, magic and version (nothing about the seal).</summary>
    public static bool HasTicketShape(ReadOnlySpan<byte> ticket) =>
        ticket.Length == Size && BinaryPrimitives.ReadUInt32LittleEndian(ticket) == Magic && ticket[4] == Version;

    /// <summary>The expiry in the clear (the seal covers it).</summary>
    public static long ReadExpiry(ReadOnlySpan<byte> ticket) => BinaryPrimitives.ReadInt64LittleEndian(ticket.Slice(5));
}
