using System.Buffers.Binary;
using System.Net;
using CsCheck;
using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

public sealed class SteeringTests
{
    private const int Shards = 2;
    private const int Clients = 4;
    private const int SessionPacketsPerClientAndShard = 60;
    private const int HandshakesPerClient = 25;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Program_MatchesTheWireRule_ForAnyPayload()
    {
        Interop.Sys.SocketFilter[] program = SteeringProgram.Build(3);
        Assert.Equal(SteeringProgram.InstructionCount, program.Length);

        Gen.Byte.Array[0, 40].Sample(payload =>
        {
            uint expected = payload.Length >= SessionSteering.MinSessionPacketBytes
                && (payload[0] & SessionSteering.SessionTypeMask) == SessionSteering.SessionType
                && payload[1] < 3
                ? payload[1]
                : SteeringProgram.Fallback;
            return SteeringProgram.Evaluate(program, payload) == expected;
        });
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0x01 }, 16, SteeringProgram.Fallback)] // one byte too short
    [InlineData(new byte[] { 0x10, 0x01 }, 17, 1u)]
    [InlineData(new byte[] { 0xF0, 0x01 }, 17, 1u)] // flag bits above the type are ignored
    [InlineData(new byte[] { 0x11, 0x01 }, 17, SteeringProgram.Fallback)]
    [InlineData(new byte[] { 0x01, 0x00 }, 64, SteeringProgram.Fallback)] // handshake
    [InlineData(new byte[] { 0x10, 0x02 }, 17, SteeringProgram.Fallback)] // shard out of range
    public void Program_Examples(byte[] head, int length, uint expected)
    {
        byte[] payload = new byte[length];
        head.CopyTo(payload, 0);
        Assert.Equal(expected, SteeringProgram.Evaluate(SteeringProgram.Build(Shards), payload));
    }

    [Fact]
    public void Build_RejectsShardCountOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SteeringProgram.Build(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SteeringProgram.Build(257));
    }

    [Fact]
    public void Attach_WithoutReusePort_ThrowsTransportException()
    {
        using BatchSocket socket = Loopback.Open(IPAddress.Loopback);
        TransportException exception = Assert.Throws<TransportException>(() => socket.AttachSteeringProgram(2));
        Assert.Contains("steering", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real thing: two reuseport sockets on one port, the program attached, several clients. Every session
    /// packet must land on the socket whose index is its shard byte; every handshake lands somewhere.
    /// </summary>
    [Fact]
    public void SessionPackets_LandOnTheirShardSocket_HandshakesOnAny()
    {
        using BatchSocket shard0 = Loopback.Open(IPAddress.Loopback, reusePort: true);
        using BatchSocket shard1 = Loopback.Open(IPAddress.Loopback, reusePort: true, port: shard0.LocalEndPoint.Port);
        BatchSocket[] shards = [shard0, shard1];
        shard0.AttachSteeringProgram(Shards);
        PeerAddress server = PeerAddress.FromEndPoint(shard0.LocalEndPoint);

        var clients = new BatchSocket[Clients];
        for (int c = 0; c < Clients; c++)
        {
            clients[c] = Loopback.Open(IPAddress.Loopback);
        }

        try
        {
            using var send = new SendBatch(64, 64);
            using var receive = new ReceiveBatch(64);
            int expectedSession = Clients * Shards * SessionPacketsPerClientAndShard;
            int expectedHandshakes = Clients * HandshakesPerClient;
            var sessionSeen = new HashSet<int>();
            var handshakesSeen = new HashSet<int>();
            int[] handshakesPerShard = new int[Shards];
            var misrouted = new List<string>();

            void Collect(int shard, ReceiveBatch batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    ReadOnlySpan<byte> payload = batch.Payload(i);
                    int id = BinaryPrimitives.ReadInt32LittleEndian(payload[9..]);
                    if (payload[0] == SessionSteering.SessionType)
                    {
                        Assert.True(sessionSeen.Add(id), $"duplicate {id}");
                        if (payload[1] != shard)
                        {
                            misrouted.Add($"packet {id} for shard {payload[1]} arrived on socket {shard}");
                        }
                    }
                    else
                    {
                        Assert.True(handshakesSeen.Add(id), $"duplicate handshake {id}");
                        handshakesPerShard[shard]++;
                    }
                }
            }

            // Interleave shards, handshakes and clients; send a round, then drain so no queue overflows.
            int nextId = 0;
            for (int round = 0; round < SessionPacketsPerClientAndShard; round++)
            {
                for (int c = 0; c < Clients; c++)
                {
                    for (int s = 0; s < Shards; s++)
                    {
                        AddPacket(send, server, SessionSteering.SessionType, (byte)s, nextId++, length: 17 + ((round + c) % 20));
                    }

                    if (round < HandshakesPerClient)
                    {
                        AddPacket(send, server, 0x01, (byte)(round % Shards), 1_000_000 + (c * 1000) + round, length: 48);
                    }

                    Assert.Equal(send.Count, clients[c].Send(send));
                }

                DrainAll(shards, receive, Collect, TimeSpan.Zero);
            }

            long deadline = Environment.TickCount64 + (long)s_timeout.TotalMilliseconds;
            while ((sessionSeen.Count < expectedSession || handshakesSeen.Count < expectedHandshakes)
                && Environment.TickCount64 < deadline)
            {
                DrainAll(shards, receive, Collect, TimeSpan.FromMilliseconds(20));
            }

            Assert.Empty(misrouted);
            Assert.Equal(expectedSession, sessionSeen.Count);
            Assert.Equal(expectedHandshakes, handshakesSeen.Count);
            Assert.Equal(0, shard0.Counters.KernelDrops + shard1.Counters.KernelDrops);

            // The fallback hash spreads the clients' handshakes; with 4 source ports both sockets usually get some,
            // but the hash is the kernel's business, so only the total is asserted.
            Assert.Equal(expectedHandshakes, handshakesPerShard.Sum());
        }
        finally
        {
            foreach (BatchSocket client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public void ShardByteBeyondShardCount_FallsBackToHash()
    {
        using BatchSocket shard0 = Loopback.Open(IPAddress.Loopback, reusePort: true);
        using BatchSocket shard1 = Loopback.Open(IPAddress.Loopback, reusePort: true, port: shard0.LocalEndPoint.Port);
        shard1.AttachSteeringProgram(Shards); // any member of the group may attach
        using BatchSocket client = Loopback.Open(IPAddress.Loopback);
        using var send = new SendBatch(16, 64);
        using var receive = new ReceiveBatch(16);
        PeerAddress server = PeerAddress.FromEndPoint(shard0.LocalEndPoint);

        for (int i = 0; i < 10; i++)
        {
            AddPacket(send, server, SessionSteering.SessionType, 200, i, length: 20);
        }

        Assert.Equal(10, client.Send(send));
        int received = 0;
        long deadline = Environment.TickCount64 + (long)s_timeout.TotalMilliseconds;
        while (received < 10 && Environment.TickCount64 < deadline)
        {
            received += DrainAll([shard0, shard1], receive, (_, _) => { }, TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(10, received);
    }

    private static void AddPacket(SendBatch batch, in PeerAddress server, byte type, byte shard, int id, int length)
    {
        Span<byte> buffer = batch.NextBuffer()[..length];
        buffer.Clear();
        buffer[0] = type;
        buffer[1] = shard;
        BinaryPrimitives.WriteInt32LittleEndian(buffer[9..], id);
        batch.Commit(server, length);
    }

    private static int DrainAll(BatchSocket[] sockets, ReceiveBatch batch, Action<int, ReceiveBatch> collect, TimeSpan wait)
    {
        int total = 0;
        for (int s = 0; s < sockets.Length; s++)
        {
            if (wait > TimeSpan.Zero)
            {
                sockets[s].WaitReadable((int)wait.TotalMilliseconds);
            }

            int count;
            while ((count = sockets[s].Receive(batch)) > 0)
            {
                total += count;
                collect(s, batch);
            }
        }

        return total;
    }
}
