using System.Net;
using System.Security.Cryptography;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Security;

/// <summary>
/// Resume tickets sealed and opened without a socket: what a sealed ticket says comes back exactly, and
/// a ticket that was altered, has expired, or is opened under another key or protocol id never opens.
/// </summary>
public class ResumeTicketTests
{
    private const long Now = 1_800_000_000;
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(SecurityConstants.KeySize);
    private static readonly IPEndPoint s_nodeB = new(IPAddress.Parse("127.0.0.2"), 7778);

    private static byte[] Seal(ResumeTicketKey key, ulong playerId = 42, uint roomId = 7, bool spectate = false, string password = "hunter2", long expires = Now + 15)
    {
        var ticket = new byte[ResumeTicket.Size];
        Assert.Equal(ResumeTicket.Size, key.Seal(ticket, playerId, s_nodeB, roomId, spectate, System.Text.Encoding.UTF8.GetBytes(password), expires));
        return ticket;
    }

    private static TicketVerdict Open(ResumeTicketKey key, byte[] ticket, long now = Now) =>
        key.TryOpen(ticket, now, new byte[ResumeTicket.PrivateSize], out _);

    [Fact]
    public void A_sealed_ticket_opens_to_what_was_sealed()
    {
        using var key = new ResumeTicketKey(s_key, protocolId: 5);
        foreach (var (password, spectate) in new[] { ("hunter2", false), ("", true), (new string('p', ResumeTicket.MaxPasswordBytes), false) })
        {
            var ticket = Seal(key, 0xDEADBEEF_00000001, 0xFFFF_FFFE, spectate, password);
            var plain = new byte[ResumeTicket.PrivateSize];
            Assert.Equal(TicketVerdict.Accepted, key.TryOpen(ticket, Now, plain, out var opened));
            Assert.Equal((0xDEADBEEF_00000001UL, 0xFFFF_FFFEu, spectate, Now + 15), (opened.PlayerId, opened.RoomId, opened.Spectate, opened.ExpireUnixSeconds));
            Assert.Equal(password, System.Text.Encoding.UTF8.GetString(opened.Password));
            Assert.Equal(s_nodeB, TokenAddress.Read(opened.Address));
            Assert.True(TokenAddress.Matches(opened.Address, ServerIdentity.For(s_nodeB)));
        }
    }

    [Fact]
    public void Two_tickets_for_the_same_move_differ_so_each_is_its_own_single_use()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        Assert.False(Seal(key).AsSpan().SequenceEqual(Seal(key)));
        Assert.False(ResumeTicketKey.Tag(Seal(key)).SequenceEqual(ResumeTicketKey.Tag(Seal(key))));
    }

    [Fact]
    public void Any_flipped_bit_of_the_ticket_makes_it_refused()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        var ticket = Seal(key);
        for (var bit = 0; bit < ResumeTicket.Size * 8; bit++)
        {
            var altered = (byte[])ticket.Clone();
            altered[bit / 8] ^= (byte)(1 << (bit % 8));
            var verdict = Open(key, altered);
            // The magic and version make it no ticket; an expiry moved into the past is expired; anything else breaks the seal.
            Assert.True(verdict is TicketVerdict.Malformed or TicketVerdict.Invalid or TicketVerdict.Expired, $"bit {bit}: {verdict}");
            Assert.True(bit / 8 >= 5 || verdict == TicketVerdict.Malformed, $"bit {bit} of magic or version: {verdict}");
        }
    }

    [Fact]
    public void An_expired_ticket_is_refused_before_it_is_decrypted()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        var ticket = Seal(key, expires: Now + 15);
        Assert.Equal(TicketVerdict.Accepted, Open(key, ticket, Now + 14));
        Assert.Equal(TicketVerdict.Expired, Open(key, ticket, Now + 15));
        Assert.Equal(TicketVerdict.Expired, Open(key, ticket, Now + 3600));
    }

    [Fact]
    public void Another_key_or_another_protocol_id_cannot_open_it()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        using var otherKey = new ResumeTicketKey(RandomNumberGenerator.GetBytes(SecurityConstants.KeySize), 0);
        using var otherGame = new ResumeTicketKey(s_key, 1);
        var ticket = Seal(key);
        Assert.Equal(TicketVerdict.Invalid, Open(otherKey, ticket));
        Assert.Equal(TicketVerdict.Invalid, Open(otherGame, ticket));
    }

    [Fact]
    public void Bytes_without_a_tickets_shape_are_malformed()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        var ticket = Seal(key);
        Assert.Equal(TicketVerdict.Malformed, Open(key, ticket[..^1]));
        Assert.Equal(TicketVerdict.Malformed, Open(key, [.. ticket, 0]));
        Assert.Equal(TicketVerdict.Malformed, Open(key, []));
        // A connect token is not a ticket, whatever its key.
        var token = ConnectToken.Issue(s_key, 42, [s_nodeB], TimeSpan.FromSeconds(30)).ToBytes();
        Assert.Equal(TicketVerdict.Malformed, Open(key, token[..ResumeTicket.Size]));
    }

    [Fact]
    public void A_password_longer_than_a_room_allows_is_not_sealed()
    {
        using var key = new ResumeTicketKey(s_key, 0);
        Assert.Throws<ArgumentException>(() => Seal(key, password: new string('p', ResumeTicket.MaxPasswordBytes + 1)));
    }
}
