using Engine.Protocol.Channels;
using Engine.Protocol.Sessions;
using Engine.Protocol.Wire;
using Engine.Tests.Netcode;
using Xunit;

namespace Engine.Tests.Protocol.Channels;

/// <summary>Exactly once, in order, through loss, duplication, reordering and jitter, fragmented or not.</summary>
public class ReliableDeliveryTests
{
    private const long StepUs = 5_000;

    /// <summary>Mostly small messages, some a few packets long, and the largest allowed.</summary>
    private static List<byte[]> Messages(Random random, int count)
    {
        var messages = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var size = random.Next(10) switch
            {
                < 6 => random.Next(0, 200),
                < 8 => random.Next(200, 1200),
                8 => random.Next(1200, 8000),
                _ => random.Next(2) == 0 ? ReliableChannel.MaxMessageSize : random.Next(8000, ReliableChannel.MaxMessageSize),
            };
            var message = new byte[size];
            random.NextBytes(message);
            if (size >= 4)
            {
                BitConverter.TryWriteBytes(message, i); // so a misordering shows which message moved
            }
            messages.Add(message);
        }
        return messages;
    }

    private static void Exchange(int seed, LossyNetworkOptions network, int count)
    {
        var random = new Random(seed);
        var pair = new ReliablePair(new LossyNetwork(seed, network));
        var toB = Messages(random, count);
        var toA = Messages(random, count / 2);
        int queuedToB = 0, queuedToA = 0;
        while ((pair.ReliableAtB.Count < toB.Count || pair.ReliableAtA.Count < toA.Count) && pair.NowUs < 300_000_000)
        {
            // Queue as fast as the window allows; a refusal just means "later".
            while (queuedToB < toB.Count && pair.A.QueueReliable(toB[queuedToB]))
            {
                queuedToB++;
            }
            while (queuedToA < toA.Count && pair.B.QueueReliable(toA[queuedToA]))
            {
                queuedToA++;
            }
            if (random.Next(4) == 0)
            {
                pair.A.QueueUnreliable(new byte[random.Next(0, 900)]); // unreliable traffic competes for the packets
            }
            pair.Step(StepUs);
        }
        // Let the last acks come home (resends of units whose acks were lost) and the tail of
        // duplicates drain: still nothing is delivered twice.
        var deadline = pair.NowUs + 30_000_000;
        while ((pair.A.ReliablePending > 0 || pair.B.ReliablePending > 0) && pair.NowUs < deadline)
        {
            pair.Step(StepUs);
        }
        for (var i = 0; i < 100; i++)
        {
            pair.Step(StepUs);
        }

        Assert.Equal(toB.Count, pair.ReliableAtB.Count);
        Assert.Equal(toA.Count, pair.ReliableAtA.Count);
        for (var i = 0; i < toB.Count; i++)
        {
            Assert.True(toB[i].AsSpan().SequenceEqual(pair.ReliableAtB[i]), $"seed {seed}: message {i} to B differs");
        }
        for (var i = 0; i < toA.Count; i++)
        {
            Assert.True(toA[i].AsSpan().SequenceEqual(pair.ReliableAtA[i]), $"seed {seed}: message {i} to A differs");
        }
        Assert.Equal(0, pair.OversizedPackets);
        Assert.Equal(toB.Count, pair.B.Stats.ReliableDelivered);
        Assert.Equal(toB.Count, pair.A.Stats.ReliableSent);
        Assert.Equal(0, pair.A.ReliablePending);
        Assert.Equal(0, pair.B.ReliablePending);
        // A correct peer never trips the receiver's guards.
        Assert.Equal(0, pair.B.Stats.ReliableOutOfWindow + pair.A.Stats.ReliableOutOfWindow);
        Assert.Equal(0, pair.B.Stats.ReliableFragmentsDropped + pair.A.Stats.ReliableFragmentsDropped);
    }

    [Fact]
    public void Every_message_arrives_exactly_once_in_order_under_20_percent_loss_for_many_seeds()
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            Exchange(seed, LossyNetworkOptions.Hostile, 40);
        }
    }

    [Fact]
    public void Resends_happen_under_loss_and_order_still_holds()
    {
        var pair = new ReliablePair(new LossyNetwork(7, LossyNetworkOptions.Hostile with { DuplicateRate = 0.3 }));
        var sent = 0;
        while (pair.ReliableAtB.Count < 300 && pair.NowUs < 120_000_000)
        {
            if (sent < 300 && pair.A.QueueReliable(BitConverter.GetBytes(sent)))
            {
                sent++;
            }
            pair.Step(StepUs);
        }
        Assert.Equal(Enumerable.Range(0, 300), pair.ReliableAtB.Select(m => BitConverter.ToInt32(m)));
        Assert.True(pair.A.Stats.ReliableResent > 0);
    }

    [Fact]
    public void A_lossless_network_delivers_without_resends()
    {
        Exchange(3, new LossyNetworkOptions { LatencyUs = 10_000 }, 30);
        var pair = new ReliablePair(new LossyNetwork(3, new LossyNetworkOptions { LatencyUs = 10_000 }));
        for (var i = 0; i < 20; i++)
        {
            Assert.True(pair.A.QueueReliable(new byte[i * 100]));
        }
        for (var i = 0; i < 40; i++)
        {
            pair.Step(StepUs);
        }
        Assert.Equal(20, pair.ReliableAtB.Count);
        Assert.Equal(0, pair.A.Stats.ReliableResent);
        Assert.Equal(0, pair.B.Stats.ReliableDuplicates);
    }

    [Fact]
    public void The_smallest_payload_still_carries_the_largest_message()
    {
        var options = new ConnectionOptions { MaxPayload = ProtocolConstants.MinMaxPayload };
        var pair = new ReliablePair(new LossyNetwork(11, LossyNetworkOptions.Hostile), options);
        var message = new byte[ReliableChannel.MaxMessageSize];
        new Random(5).NextBytes(message);
        Assert.True(pair.A.QueueReliable(message));
        while (pair.ReliableAtB.Count == 0 && pair.NowUs < 120_000_000)
        {
            pair.Step(StepUs);
        }
        Assert.Equal(message, Assert.Single(pair.ReliableAtB));
        Assert.Equal(0, pair.OversizedPackets);
    }
}
