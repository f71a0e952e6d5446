using CsCheck;
using Engine.Protocol;
using Engine.Protocol.Simulation;
using Engine.Protocol.Wire;
using Xunit;

namespace Engine.Tests.Simulation;

/// <summary>InputMessage: round trips, strict bounds checks, and garbage or mutations never throw and never decode to anything but their own canonical bytes.</summary>
public class InputMessageTests
{
    /// <summary>1..MaxInputs consecutive inputs, newest first.</summary>
    private static readonly Gen<PlayerInput[]> s_messages = Gen.Select(Gen.UInt[InputMessage.MaxInputs, uint.MaxValue], MovementTests.AnyInput.Array[1, InputMessage.MaxInputs],
        (newest, inputs) =>
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i].Sequence = newest - (uint)i;
            }
            return inputs;
        });

    [Fact]
    public void Round_trips_every_field()
    {
        s_messages.Sample(inputs =>
        {
            var buffer = new byte[InputMessage.MaxSize];
            var written = InputMessage.Write(buffer, inputs);
            Assert.Equal(InputMessage.SizeOf(inputs.Length), written);

            var read = new PlayerInput[InputMessage.MaxInputs];
            Assert.Equal(DropReason.None, InputMessage.TryRead(buffer.AsSpan(0, written), read, out var count));
            Assert.Equal(inputs, read.AsSpan(0, count).ToArray());
        }, iter: 10_000);
    }

    [Fact]
    public void Newest_plus_three_fits_in_33_bytes()
    {
        Assert.Equal(33, InputMessage.SizeOf(4));
    }

    [Fact]
    public void Write_refuses_what_it_cannot_encode()
    {
        var buffer = new byte[InputMessage.MaxSize];
        Assert.Equal(0, InputMessage.Write(buffer, []));
        Assert.Equal(0, InputMessage.Write(buffer, Run(100, InputMessage.MaxInputs + 1)));
        Assert.Equal(0, InputMessage.Write(buffer, [new PlayerInput { Sequence = 5 }, new PlayerInput { Sequence = 3 }])); // not consecutive
        Assert.Equal(0, InputMessage.Write(buffer, [new PlayerInput { Sequence = 1 }, new PlayerInput { Sequence = 0 }])); // sequence 0
        Assert.Equal(0, InputMessage.Write(buffer.AsSpan(0, InputMessage.SizeOf(3) - 1), Run(10, 3))); // destination too small
        Assert.Equal(InputMessage.SizeOf(3), InputMessage.Write(buffer.AsSpan(0, InputMessage.SizeOf(3)), Run(10, 3)));
    }

    [Fact]
    public void TryRead_drops_bad_shapes_with_a_reason()
    {
        var buffer = new byte[InputMessage.MaxSize + 1];
        var valid = buffer.AsSpan(0, InputMessage.Write(buffer, Run(50, 4)));
        var read = new PlayerInput[InputMessage.MaxInputs];

        Assert.Equal(DropReason.TooShort, InputMessage.TryRead(valid[..4], read, out _));
        Assert.Equal(DropReason.Truncated, InputMessage.TryRead(valid[..^1], read, out _));
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryRead(buffer.AsSpan(0, valid.Length + 1), read, out _));
        Assert.Equal(DropReason.Oversized, InputMessage.TryRead(valid, read.AsSpan(0, 3), out _));

        valid[0] = 0;
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryRead(valid, read, out var count));
        Assert.Equal(0, count);
        valid[0] = InputMessage.MaxInputs + 1;
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryRead(valid, read, out _));

        // Newest sequence 3 cannot carry four inputs: the oldest would be sequence 0.
        var underflow = new byte[InputMessage.SizeOf(4)];
        underflow[0] = 4;
        underflow[1] = 3;
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryRead(underflow, read, out _));
    }

    [Fact]
    public void Random_bytes_never_throw_and_anything_accepted_is_canonical()
    {
        Gen.Byte.Array[0, 80].Sample(bytes => AssertDroppedOrCanonical(bytes), iter: 50_000);
    }

    [Fact]
    public void Mutated_messages_are_dropped_or_read_as_exactly_what_they_say()
    {
        Gen.Select(s_messages, Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 3]).Sample((inputs, where, value, mode) =>
        {
            var buffer = new byte[InputMessage.MaxSize];
            var valid = buffer.AsSpan(0, InputMessage.Write(buffer, inputs)).ToArray();
            var position = where % valid.Length;
            var mutated = mode switch
            {
                0 => Flip(valid, position, value),
                1 => valid.AsSpan(0, position).ToArray(),
                2 => [.. valid, value],
                _ => Flip(valid, 0, value),
            };
            var reason = AssertDroppedOrCanonical(mutated);

            // A changed length or input count is always caught; changed values are the validator's business.
            if (mode is 1 or 2 or 3)
            {
                Assert.NotEqual(DropReason.None, reason);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Framed_round_trips_the_ack_and_the_inputs_as_the_ack_varint_then_the_message()
    {
        Gen.Select(Gen.UInt, s_messages, Gen.Bool).Sample((ack, inputs, bare) =>
        {
            var carried = bare ? [] : inputs;
            var buffer = new byte[InputMessage.MaxFramedSize];
            var written = InputMessage.WriteFramed(buffer, ack, carried);

            // The layout, pinned: what the SDK, the swarm and the server wrote by hand before.
            var expected = new byte[InputMessage.MaxFramedSize];
            var ackLength = Varint.Write(expected, ack);
            var expectedLength = ackLength + (bare ? 0 : InputMessage.Write(expected.AsSpan(ackLength), carried));
            Assert.Equal(expected.AsSpan(0, expectedLength).ToArray(), buffer.AsSpan(0, written).ToArray());

            Assert.Equal(DropReason.None, InputMessage.TryReadFramed(buffer.AsSpan(0, written), out var readAck, out var message));
            Assert.Equal(ack, readAck);
            if (bare)
            {
                Assert.True(message.IsEmpty);
                return;
            }
            var read = new PlayerInput[InputMessage.MaxInputs];
            Assert.Equal(DropReason.None, InputMessage.TryRead(message, read, out var count));
            Assert.Equal(carried, read.AsSpan(0, count).ToArray());
        }, iter: 10_000);
    }

    [Fact]
    public void The_largest_framed_message_is_MaxFramedSize()
    {
        var buffer = new byte[InputMessage.MaxFramedSize];
        Assert.Equal(InputMessage.MaxFramedSize, InputMessage.WriteFramed(buffer, uint.MaxValue, Run(1000, InputMessage.MaxInputs)));
        Assert.Equal(1, InputMessage.WriteFramed(buffer, 0, []));
    }

    [Fact]
    public void WriteFramed_refuses_what_it_cannot_encode()
    {
        var buffer = new byte[InputMessage.MaxFramedSize];
        var inputs = Run(10, 3);
        var needed = Varint.SizeOf(300) + InputMessage.SizeOf(3);
        for (var length = 0; length < needed; length++)
        {
            Assert.Equal(0, InputMessage.WriteFramed(buffer.AsSpan(0, length), 300, inputs));
        }
        Assert.Equal(needed, InputMessage.WriteFramed(buffer.AsSpan(0, needed), 300, inputs));
        Assert.Equal(0, InputMessage.WriteFramed(buffer.AsSpan(0, 1), 300, [])); // the ack alone needs two bytes
        Assert.Equal(0, InputMessage.WriteFramed(buffer, 300, [new PlayerInput { Sequence = 5 }, new PlayerInput { Sequence = 3 }]));
        Assert.Equal(0, InputMessage.WriteFramed(buffer, 300, Run(100, InputMessage.MaxInputs + 1)));
    }

    [Fact]
    public void TryReadFramed_drops_a_missing_truncated_or_overlong_ack()
    {
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryReadFramed([], out _, out _));
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryReadFramed([0x80], out _, out _));
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryReadFramed([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], out _, out _));
        Assert.Equal(DropReason.MalformedMessage, InputMessage.TryReadFramed([0xFF, 0xFF, 0xFF, 0xFF, 0x10], out var ack, out var inputs));
        Assert.Equal(0u, ack);
        Assert.True(inputs.IsEmpty);
    }

    [Fact]
    public void TryReadFramed_never_throws_and_leaves_the_rest_for_TryRead()
    {
        Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            if (InputMessage.TryReadFramed(bytes, out var ack, out var inputs) != DropReason.None)
            {
                Assert.False(Varint.TryRead(bytes, out _, out _));
                return;
            }
            Assert.True(Varint.TryRead(bytes, out var expected, out var ackLength));
            Assert.Equal(expected, ack);
            Assert.Equal(bytes[ackLength..], inputs.ToArray());
            if (!inputs.IsEmpty)
            {
                AssertDroppedOrCanonical(inputs.ToArray());
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Reading_and_writing_allocate_nothing()
    {
        var buffer = new byte[InputMessage.MaxSize];
        var framed = new byte[InputMessage.MaxFramedSize];
        var inputs = Run(1000, 4);
        var read = new PlayerInput[InputMessage.MaxInputs];
        InputMessage.TryReadFramed(framed.AsSpan(0, InputMessage.WriteFramed(framed, 1, inputs)), out _, out _);
        InputMessage.TryRead(buffer.AsSpan(0, InputMessage.Write(buffer, inputs)), read, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var written = InputMessage.Write(buffer, inputs);
            InputMessage.TryRead(buffer.AsSpan(0, written), read, out _);
            written = InputMessage.WriteFramed(framed, (uint)i, inputs);
            InputMessage.TryReadFramed(framed.AsSpan(0, written), out _, out _);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    private static DropReason AssertDroppedOrCanonical(byte[] bytes)
    {
        var read = new PlayerInput[InputMessage.MaxInputs];
        var reason = InputMessage.TryRead(bytes, read, out var count);
        if (reason != DropReason.None)
        {
            Assert.Equal(0, count);
            return reason;
        }
        var again = new byte[InputMessage.MaxSize];
        var written = InputMessage.Write(again, read.AsSpan(0, count));
        Assert.Equal(bytes, again.AsSpan(0, written).ToArray());
        return reason;
    }

    private static PlayerInput[] Run(uint newest, int count)
    {
        var inputs = new PlayerInput[count];
        for (var i = 0; i < count; i++)
        {
            inputs[i] = new PlayerInput { Sequence = newest - (uint)i, Forward = (sbyte)i, Yaw = (ushort)(i * 1000) };
        }
        return inputs;
    }

    private static byte[] Flip(byte[] source, int position, byte value)
    {
        var copy = source.ToArray();
        copy[position] ^= (byte)(value | 1);
        return copy;
    }
}
