using Engine.LoadTest.Attack;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.LoadTest;

/// <summary>The hostile scenario's datagrams are what they claim to be, as the server's own parsers read them, and cost no allocation.</summary>
public sealed class AttackPacketTests
{
    private const int MaxPayload = ProtocolConstants.DefaultMaxPayload;

    [Fact]
    public void Spoofed_and_bad_cookie_hellos_parse_as_hellos_and_a_made_up_cookie_never_verifies()
    {
        var buffer = new byte[AttackPackets.MaxOversized];
        var rng = new AttackRandom(42);
        var length = AttackPackets.Hello(buffer, 0x1122334455667788UL, default);
        Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(buffer.AsSpan(0, length), out var hello));
        Assert.Equal(0x1122334455667788UL, hello.Nonce);
        Assert.True(hello.Cookie.IsEmpty);

        var cookies = new HandshakeCookies(HandshakeCookies.NewSecret());
        Span<byte> address = stackalloc byte[18];
        for (var i = 0; i < 200; i++)
        {
            var now = 100_000_000L + (i * 1000);
            length = AttackPackets.BadCookieHello(buffer, ref rng, now);
            Assert.Equal(DropReason.None, HandshakePackets.TryReadHello(buffer.AsSpan(0, length), out hello));
            Assert.False(hello.Cookie.IsEmpty);
            Assert.Contains(cookies.Verify(address, hello.Nonce, hello.Cookie, now), new[] { DropReason.BadCookie, DropReason.ExpiredCookie });
        }
    }

    [Fact]
    public void Garbage_oversized_and_forged_packets_have_the_sizes_and_ids_they_promise()
    {
        var buffer = new byte[AttackPackets.MaxOversized];
        var rng = new AttackRandom(7);
        var sessionTyped = 0;
        for (var i = 0; i < 2000; i++)
        {
            var garbage = AttackPackets.Garbage(buffer, ref rng, MaxPayload);
            Assert.InRange(garbage, 1, MaxPayload);
            sessionTyped += (buffer[0] & ProtocolConstants.TypeMask) == 0x10 ? 1 : 0;

            Assert.InRange(AttackPackets.Oversized(buffer, ref rng, MaxPayload), MaxPayload + 1, AttackPackets.MaxOversized);

            var id = AttackPackets.GuessedConnectionId(ref rng);
            Assert.InRange(id & 0xFF, 0UL, 3UL); // steered to a real shard
            var forged = AttackPackets.ForgedSession(buffer, ref rng, id);
            Assert.InRange(forged, ProtocolConstants.SessionHeaderSize, MaxPayload);
            Assert.Equal(DropReason.None, SessionHeader.TryRead(buffer.AsSpan(0, forged), out var header));
            Assert.Equal(id, header.ConnectionId);
            Assert.Equal(id, AttackPackets.ConnectionIdOf(buffer.AsSpan(0, forged)));
        }
        Assert.InRange(sessionTyped, 400, 1000); // about 3 in 8 look like session packets
    }

    [Fact]
    public void Building_attack_packets_allocates_nothing()
    {
        var buffer = new byte[AttackPackets.MaxOversized];
        var rng = new AttackRandom(3);
        var capture = new ReplayCapture { Capturing = true };
        // Warm up past JIT tiering, so only the builders' own allocations are left to count.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 2000; i++)
            {
                Build(buffer, ref rng, capture);
            }
            Thread.Sleep(150);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Build(buffer, ref rng, capture);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void The_capture_keeps_one_datagram_in_eight_and_hands_back_copies_with_their_socket()
    {
        var capture = new ReplayCapture();
        var rng = new AttackRandom(9);
        var destination = new byte[1500];
        capture.Offer(new byte[] { 0x10, 1, 2, 3 }, 5);
        Assert.Equal(0, capture.Take(destination, ref rng, out _)); // not capturing yet
        capture.Capturing = true;
        for (var i = 0; i < ReplayCapture.Every * 10; i++)
        {
            capture.Offer(new byte[] { 0x10, (byte)i, 2, 3 }, 5);
        }
        Assert.Equal(10, capture.Count);
        Assert.Equal(4, capture.Take(destination, ref rng, out var socket));
        Assert.Equal(5, socket);
        Assert.Equal(0x10, destination[0]);
    }

    [Fact]
    public void The_mix_parses_weights_normalises_them_and_refuses_unknown_kinds()
    {
        var mix = AttackMix.Parse("garbage=1,replay-same=3");
        Assert.Equal(0.25, mix.Share(AttackKind.Garbage), 6);
        Assert.Equal(0.75, mix.Share(AttackKind.ReplaySame), 6);
        Assert.Equal(0, mix.Share(AttackKind.SpoofedHello));
        Assert.Equal(1, Enumerable.Range(0, AttackKinds.Count).Sum(k => AttackMix.Default.Share((AttackKind)k)), 6);
        Assert.ThrowsAny<Exception>(() => AttackMix.Parse("teardrop=1"));
        Assert.ThrowsAny<Exception>(() => AttackMix.Parse("garbage=0"));
    }

    private static void Build(byte[] buffer, ref AttackRandom rng, ReplayCapture capture)
    {
        AttackPackets.Garbage(buffer, ref rng, MaxPayload);
        AttackPackets.Oversized(buffer, ref rng, MaxPayload);
        var length = AttackPackets.ForgedSession(buffer, ref rng, AttackPackets.GuessedConnectionId(ref rng));
        capture.Offer(buffer.AsSpan(0, length), 0);
        capture.Take(buffer, ref rng, out _);
        AttackPackets.Hello(buffer, rng.NextUInt64(), default);
        AttackPackets.BadCookieHello(buffer, ref rng, 1_000_000);
    }
}
