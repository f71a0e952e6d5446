using Engine.Protocol;
using Engine.Protocol.Simulation;

namespace Engine.Fuzz.Targets;

/// <summary>
/// The payload of an Input message as the server splits it (docs/PROTOCOL.md, "Inputs";
/// <see cref="InputMessage.TryReadFramed"/>): a varint snapshot ack, then nothing or an
/// <see cref="InputMessage"/>. Never throws; an accepted message
/// carries 1..8 consecutive sequences, all at least 1, and the codec is canonical (written back, it
/// is the same bytes); a dropped one yields no inputs; a smaller scratch changes only the verdict
/// on messages that do not fit it.
/// </summary>
internal sealed class InputTarget : FuzzTarget
{
    private readonly PlayerInput[] _inputs = new PlayerInput[InputMessage.MaxInputs];
    private readonly PlayerInput[] _small = new PlayerInput[2];
    private readonly byte[] _written = new byte[InputMessage.MaxSize];

    public override string Name => "input";

    public override void Run(ReadOnlySpan<byte> data)
    {
        if (InputMessage.TryReadFramed(data, out _, out var message) != DropReason.None)
        {
            return;
        }
        if (message.IsEmpty)
        {
            return; // a bare acknowledgement
        }
        var reason = InputMessage.TryRead(message, _inputs, out var count);
        var smallReason = InputMessage.TryRead(message, _small, out var smallCount);
        if (reason != DropReason.None)
        {
            Check.Equal(0, count, $"inputs of a message dropped as {reason}");
            Check.That(reason is DropReason.TooShort or DropReason.Truncated or DropReason.MalformedMessage, $"input message dropped as {reason}");
            // The scratch is checked before the sequence, so a message too big for it may say so instead.
            Check.That(smallReason == reason || (smallReason == DropReason.Oversized && message[0] > _small.Length),
                $"verdict with a smaller scratch: {smallReason}, with a full one: {reason}");
            Check.Equal(0, smallCount, "inputs read into a smaller scratch from a dropped message");
            return;
        }
        Check.That(count is >= 1 and <= InputMessage.MaxInputs, $"{count} inputs accepted");
        Check.Equal(InputMessage.SizeOf(count), message.Length, "size of an accepted message");
        for (var i = 0; i < count; i++)
        {
            Check.Equal(_inputs[0].Sequence - (uint)i, _inputs[i].Sequence, $"sequence of input {i}");
            Check.That(_inputs[i].Sequence >= 1, "input sequence 0 accepted");
        }
        var length = InputMessage.Write(_written, _inputs.AsSpan(0, count));
        Check.Bytes(message, _written.AsSpan(0, length), "input message written back");
        Check.Equal(count > _small.Length ? DropReason.Oversized : DropReason.None, smallReason, "verdict with a smaller scratch");
        Check.Equal(count > _small.Length ? 0 : count, smallCount, "inputs read into a smaller scratch");
    }

    public override IEnumerable<(string Name, byte[] Data)> Seeds()
    {
        var inputs = new PlayerInput[3];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = new PlayerInput { Sequence = 120 - (uint)i, Forward = 127, Right = (sbyte)(-64 + i), Yaw = 16384, Pitch = -2000, Buttons = InputButtons.Jump };
        }
        var buffer = new byte[InputMessage.MaxFramedSize];
        yield return ("three-inputs", buffer.AsSpan(0, InputMessage.WriteFramed(buffer, 300, inputs)).ToArray());
        yield return ("one-input-no-ack", buffer.AsSpan(0, InputMessage.WriteFramed(buffer, 0, inputs.AsSpan(0, 1))).ToArray());
        yield return ("bare-ack", buffer.AsSpan(0, InputMessage.WriteFramed(buffer, 1_000_000, default)).ToArray());
    }
}
