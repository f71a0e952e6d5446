using CsCheck;
using Engine.Protocol;
using Engine.Protocol.Handshake;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Protocol;

/// <summary>Random and mutated datagrams never throw anywhere in the protocol, and are dropped with a reason.</summary>
public class ParserPropertyTests
{
    private static readonly Gen<byte[]> s_datagrams = Gen.Byte.Array[0, 1500];

    [Fact]
    public void Random_bytes_never_throw_in_any_reader()
    {
        s_datagrams.Sample(bytes =>
        {
            SessionHeader.TryRead(bytes, out _);
            HandshakePackets.TryReadHello(bytes, out _);
            HandshakePackets.TryReadChallenge(bytes, out _, out _);
            HandshakePackets.TryReadWelcome(bytes, out _);
            HandshakePackets.TryReadReject(bytes, out _, out _);
            Varint.TryRead(bytes, out _, out _);
            Connection.Validate(bytes);
        }, iter: 20_000);
    }

    [Fact]
    public void Random_session_packets_are_accepted_or_dropped_with_a_reason()
    {
        Gen.Byte.Array[0, 1300].Sample(body =>
        {
            var connection = new Connection(1, ConnectionOptions.Default, 0);
            var packet = new byte[ProtocolConstants.SessionHeaderSize + body.Length];
            new SessionHeader(1, 5, 0, 0, false).Write(packet);
            body.CopyTo(packet, ProtocolConstants.SessionHeaderSize);
            var collector = new ConnectionTests.Collector();
            var reason = connection.Receive(new SessionHeader(1, 5, 0, 0, false), packet, 1, ref collector);
            if (reason != DropReason.None)
            {
                Assert.Null(collector.Messages);
                Assert.Equal(0, connection.Stats.PacketsReceived);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_packets_never_throw_and_never_deliver_garbage_silently()
    {
        var sender = new Connection(9, ConnectionOptions.Default, 0);
        sender.QueueUnreliable("payload-one"u8);
        sender.QueueUnreliable(new byte[200]);
        var buffer = new byte[ProtocolConstants.MaxDatagram];
        var valid = buffer.AsSpan(0, sender.PollSend(buffer, 1_000_000)).ToArray();

        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, Gen.Int[0, 3]).Sample((position, value, mode) =>
        {
            var mutated = mode switch
            {
                0 => Flip(valid, position, value),
                1 => valid.AsSpan(0, position).ToArray(),
                2 => valid.Concat(new[] { value }).ToArray(),
                _ => Flip(Flip(valid, position, value), (position * 7) % valid.Length, (byte)~value),
            };
            var receiver = new Connection(9, ConnectionOptions.Default, 0);
            var collector = new ConnectionTests.Collector();
            var reason = SessionHeader.TryRead(mutated, out var header);
            if (reason == DropReason.None)
            {
                receiver.Receive(header, mutated, 1, ref collector);
            }
            var client = new ClientConnection();
            client.Connect(0);
            client.Receive(mutated, 1, ref collector);
        }, iter: 20_000);
    }

    private static byte[] Flip(byte[] source, int position, byte value)
    {
        var copy = source.ToArray();
        copy[position] ^= (byte)(value | 1);
        return copy;
    }
}
