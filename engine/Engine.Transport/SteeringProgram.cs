namespace Engine.Transport;

/// <summary>
/// Builds the classic BPF program that picks the socket of a reuseport group for each datagram. For UDP the
/// kernel runs it with offset 0 at the first byte of the UDP payload and <c>len</c> the payload length; a
/// return value below the number of sockets selects that socket (bind order), anything else falls back to
/// the kernel's hash of the 4-tuple.
/// </summary>
internal static class SteeringProgram
{
    /// <summary>No steering: let the kernel hash (handshakes, anything that is not a session packet).</summary>
    internal const uint Fallback = 0xFFFF_FFFF;

    // Classic BPF opcodes (linux/bpf_common.h).
    private const ushort Ld = 0x00;
    private const ushort Alu = 0x04;
    private const ushort Jmp = 0x05;
    private const ushort Ret = 0x06;
    private const ushort SizeWord = 0x00;
    private const ushort SizeByte = 0x10;
    private const ushort ModeAbsolute = 0x20;
    private const ushort ModeLength = 0x80;
    private const ushort OpAnd = 0x50;
    private const ushort OpJumpEqual = 0x10;
    private const ushort OpJumpGreaterOrEqual = 0x30;
    private const ushort SourceConstant = 0x00;
    private const ushort ReturnA = 0x10;

    internal const int InstructionCount = 9;

    /// <summary><see cref="GsoKey"/> of a datagram that must never be coalesced.</summary>
    internal const uint NotCoalescable = 0xFFFF_FFFE;

    /// <summary>
    /// The steering decision for a datagram, independent of the shard count: its shard byte, or
    /// <see cref="Fallback"/>. A GSO message crossing the loopback is steered once, on its first segment, with
    /// <c>len</c> the length of the whole message; so only datagrams with the same key may share a message, and a
    /// session packet shorter than <see cref="SessionSteering.MinSessionPacketBytes"/> (unsteered alone, steered
    /// as the head of a longer message) may not be coalesced at all.
    /// </summary>
    internal static uint GsoKey(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || (payload[0] & SessionSteering.SessionTypeMask) != SessionSteering.SessionType)
        {
            return Fallback;
        }

        return payload.Length < SessionSteering.MinSessionPacketBytes ? NotCoalescable : payload[SessionSteering.ShardByteOffset];
    }

    /// <summary>The program for <paramref name="shardCount"/> sockets. Jump offsets count from the next instruction.</summary>
    internal static Interop.Sys.SocketFilter[] Build(int shardCount)
    {
        if (shardCount is < 1 or > SessionSteering.MaxShards)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(shardCount));
        }

        return
        [
            // 0: A = len (payload length)
            new(Ld | SizeWord | ModeLength, 0, 0, 0),

            // 1: if A >= 17 go on, else fall back (-> 8)
            new(Jmp | OpJumpGreaterOrEqual | SourceConstant, 0, 6, SessionSteering.MinSessionPacketBytes),

            // 2: A = payload[0] (type byte)
            new(Ld | SizeByte | ModeAbsolute, 0, 0, 0),

            // 3: A &= 0x1F
            new(Alu | OpAnd | SourceConstant, 0, 0, SessionSteering.SessionTypeMask),

            // 4: if A == 0x10 (session packet) go on, else fall back (-> 8)
            new(Jmp | OpJumpEqual | SourceConstant, 0, 3, SessionSteering.SessionType),

            // 5: A = payload[1] (first byte of the connection id: the shard index)
            new(Ld | SizeByte | ModeAbsolute, 0, 0, SessionSteering.ShardByteOffset),

            // 6: if A >= shardCount fall back (-> 8): a stale or forged id must not pick a missing socket
            new(Jmp | OpJumpGreaterOrEqual | SourceConstant, 1, 0, (uint)shardCount),

            // 7: return A (the shard's socket index)
            new(Ret | ReturnA, 0, 0, 0),

            // 8: return 0xFFFFFFFF (>= number of sockets: the kernel uses its hash)
            new(Ret | SourceConstant, 0, 0, Fallback),
        ];
    }

    /// <summary>
    /// Runs the program on <paramref name="payload"/> the way the kernel would. Lets tests and the load test check
    /// the program itself, without sockets.
    /// </summary>
    internal static uint Evaluate(ReadOnlySpan<Interop.Sys.SocketFilter> program, ReadOnlySpan<byte> payload)
    {
        uint a = 0;
        int pc = 0;
        while ((uint)pc < (uint)program.Length)
        {
            Interop.Sys.SocketFilter instruction = program[pc++];
            switch (instruction.Code)
            {
                case Ld | SizeWord | ModeLength:
                    a = (uint)payload.Length;
                    break;
                case Ld | SizeByte | ModeAbsolute:
                    if (instruction.K >= (uint)payload.Length)
                    {
                        return 0; // an out-of-bounds load ends the program with 0, as in the kernel
                    }

                    a = payload[(int)instruction.K];
                    break;
                case Alu | OpAnd | SourceConstant:
                    a &= instruction.K;
                    break;
                case Jmp | OpJumpEqual | SourceConstant:
                    pc += a == instruction.K ? instruction.JumpTrue : instruction.JumpFalse;
                    break;
                case Jmp | OpJumpGreaterOrEqual | SourceConstant:
                    pc += a >= instruction.K ? instruction.JumpTrue : instruction.JumpFalse;
                    break;
                case Ret | ReturnA:
                    return a;
                case Ret | SourceConstant:
                    return instruction.K;
                default:
                    ThrowHelper.ThrowInvalidOperation("instruction not supported by the evaluator");
                    break;
            }
        }

        return 0;
    }
}
