using CsCheck;
using Engine.Protocol.Sessions;
using Xunit;

namespace Engine.Tests.Protocol;

public class AckWindowTests
{
    /// <summary>
    /// Each packet repeats the last 32 acks and the window looks only at those not applied before;
    /// whatever order the acks arrive in (late, repeated, jumping ahead), the counts of acknowledged
    /// and lost packets must equal those of looking at every ack of every packet.
    /// </summary>
    [Fact]
    public void Skipping_acks_already_applied_counts_what_applying_every_ack_counts()
    {
        var steps = Gen.Select(Gen.Int[1, 6], Gen.Int[-40, 40], Gen.UInt).Array[1, 300];
        steps.Sample(run =>
        {
            var window = new AckWindow();
            var stats = new ConnectionStats();
            var reference = new NaiveSentRing();
            var sent = 0;
            foreach (var (sends, offset, bits) in run)
            {
                for (var i = 0; i < sends; i++)
                {
                    window.NextSend(ref stats);
                    reference.Send((ushort)sent++);
                }
                // An ack somewhere near the newest sent, as late and reordered packets carry.
                var ack = (ushort)Math.Max(0, sent - 1 - Math.Abs(offset));
                window.ApplyAcks(ack, bits, ref stats);
                reference.Apply(ack, bits, (ushort)sent);
            }
            Assert.Equal(reference.Acked, stats.PacketsAcked);
            Assert.Equal(reference.Lost, stats.PacketsLost);
        }, iter: 500);
    }

    /// <summary>The rules without the shortcut: every ack of every packet is looked up in the ring.</summary>
    private sealed class NaiveSentRing
    {
        private readonly bool[] _pending = new bool[256];
        private readonly ushort[] _sequence = new ushort[256];
        private ushort _lossCursor;

        public long Acked { get; private set; }
        public long Lost { get; private set; }

        public void Send(ushort sequence)
        {
            if (_pending[sequence % 256])
            {
                Lost++;
            }
            _pending[sequence % 256] = true;
            _sequence[sequence % 256] = sequence;
        }

        public void Apply(ushort ack, uint bits, ushort next)
        {
            if ((short)(next - ack) <= 0)
            {
                return;
            }
            Acknowledge(ack);
            for (var i = 0; i < 32; i++)
            {
                if ((bits & (1u << i)) != 0)
                {
                    Acknowledge((ushort)(ack - 1 - i));
                }
            }
            while ((short)(ack - _lossCursor) > 32)
            {
                if (_pending[_lossCursor % 256] && _sequence[_lossCursor % 256] == _lossCursor)
                {
                    _pending[_lossCursor % 256] = false;
                    Lost++;
                }
                _lossCursor++;
            }
        }

        private void Acknowledge(ushort sequence)
        {
            if (_pending[sequence % 256] && _sequence[sequence % 256] == sequence)
            {
                _pending[sequence % 256] = false;
                Acked++;
            }
        }
    }
}
