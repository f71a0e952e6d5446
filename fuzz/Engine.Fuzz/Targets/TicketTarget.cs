using System.Net;
using Engine.Protocol.Security;

namespace Engine.Fuzz.Targets;

/// <summary>
/// Resume tickets as a node opens them (<see cref="ResumeTicketKey.TryOpen"/>, under a fixed key): never
/// throws, gives one of the opening verdicts, and a ticket that opens is structurally valid, repeats its
/// expiry inside the seal, is exactly what sealing its contents again with its nonce gives, and stops
/// opening when any bit of it changes (nothing but the key's holder can make one).
/// </summary>
internal sealed class TicketTarget : FuzzTarget
{
    private static readonly byte[] s_key = [.. Enumerable.Range(1, SecurityConstants.KeySize).Select(i => (byte)(i * 11))];
    private static readonly IPEndPoint s_server = new(IPAddress.Loopback, 7778);

    private ResumeTicketKey? _key;
    private readonly byte[] _plain = new byte[ResumeTicket.PrivateSize];
    private readonly byte[] _altered = new byte[ResumeTicket.Size];
    private readonly byte[] _resealed = new byte[ResumeTicket.Size];

    public override string Name => "ticket";

    public override void Run(ReadOnlySpan<byte> data)
    {
        _key ??= new ResumeTicketKey(s_key, 0);
        var verdict = _key.TryOpen(data, TokenTarget.NowUnix, _plain, out var opened);
        Check.That(verdict is TicketVerdict.Accepted or TicketVerdict.Malformed or TicketVerdict.Expired or TicketVerdict.Invalid, $"ticket verdict {verdict}");
        Check.That(verdict == TicketVerdict.Malformed || ResumeTicket.HasTicketShape(data), "a ticket of the wrong shape got past the shape check");
        if (verdict != TicketVerdict.Accepted)
        {
            return;
        }
        Check.Equal(ResumeTicket.ReadExpiry(data), opened.ExpireUnixSeconds, "expiry repeated in the sealed part");
        Check.That(opened.Password.Length <= ResumeTicket.MaxPasswordBytes, "password length");
        var address = TokenAddress.Read(opened.Address);
        Check.That(address is not null, "an opened ticket's address does not read");
        _key.Seal(_resealed, opened.PlayerId, address!, opened.RoomId, opened.Spectate, opened.Password, opened.ExpireUnixSeconds,
            data.Slice(ResumeTicket.NonceOffset, SecurityConstants.NonceSize));
        Check.Bytes(data, _resealed, "an opened ticket sealed again");
        // Any single flipped bit must make it fail.
        data.CopyTo(_altered);
        var bit = (int)(opened.PlayerId % (ulong)(ResumeTicket.Size * 8));
        _altered[bit / 8] ^= (byte)(1 << (bit % 8));
        Check.That(_key.TryOpen(_altered, TokenTarget.NowUnix, _plain, out _) != TicketVerdict.Accepted, $"a ticket with bit {bit} flipped still opens");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        yield return ("ticket", SeedTicket());
        yield return ("ticket-spectate-no-password", SeedTicket(spectate: true, password: ""));
    }

    /// <summary>A ticket sealed with the target's key and a fixed nonce, so the seeds never change.</summary>
    internal static byte[] SeedTicket(bool spectate = false, string password = "hunter2")
    {
        using var key = new ResumeTicketKey(s_key, 0);
        var ticket = new byte[ResumeTicket.Size];
        key.Seal(ticket, 42, s_server, 12, spectate, System.Text.Encoding.UTF8.GetBytes(password), TokenTarget.NowUnix + 15,
            [.. Enumerable.Range(0, SecurityConstants.NonceSize).Select(i => (byte)(i + 1))]);
        return ticket;
    }
}
