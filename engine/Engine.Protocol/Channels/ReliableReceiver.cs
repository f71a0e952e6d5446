using Engine.Protocol.Sessions;

namespace Engine.Protocol.Channels;

/// <summary>
/// The receiving half of the reliable ordered channel: delivers units in id order exactly once.
/// A unit ahead of the next expected id but inside the window is copied into its hold slot (id
/// modulo the window); one behind, or already held, is a duplicate; one past the window is dropped
/// (a correct sender never sends past it). Hold slots are allocated on first use, each sized for
/// the largest unit a packet can carry, so the receiver never holds more than one window of units
/// plus one message being assembled.
/// </summary>
internal sealed class ReliableReceiver
{
    private readonly int _slotBytes;
    private readonly byte[]?[] _held = new byte[]?[ReliableChannel.Window];
    private readonly int[] _heldLength = new int[ReliableChannel.Window];
    private readonly ushort[] _heldIndex = new ushort[ReliableChannel.Window];
    private readonly ushort[] _heldCount = new ushort[ReliableChannel.Window];
    private readonly bool[] _heldPresent = new bool[ReliableChannel.Window];
    private readonly FragmentAssembler _assembler = new();
    private ushort _next;

    /// <param name="slotBytes">The most data bytes one unit can carry (bounded by the packet size).</param>
    public ReliableReceiver(int slotBytes)
    {
        _slotBytes = slotBytes;
    }

    /// <summary>Bytes retained by hold slots and the assembler (for tests that prove the bound).</summary>
    public int RetainedBytes
    {
        get
        {
            var total = _assembler.RetainedBytes;
            foreach (var slot in _held)
            {
                total += slot?.Length ?? 0;
            }
            return total;
        }
    }

    /// <summary>The most bytes this receiver will ever retain.</summary>
    public int MaxRetainedBytes => (ReliableChannel.Window * _slotBytes) + ReliableChannel.MaxMessageSize;

    public void Reset()
    {
        _next = 0;
        Array.Clear(_heldPresent);
        _assembler.Reset();
    }

    /// <summary>Takes one unit; <paramref name="count"/> is 0 for a whole message, else the fragment count.</summary>
    public void Receive<THandler>(ushort id, ushort index, ushort count, ReadOnlySpan<byte> data, ref THandler handler, ref ConnectionStats stats)
        where THandler : struct, IMessageHandler
    {
        var ahead = (ushort)(id - _next);
        if (ahead >= 0x8000)
        {
            stats.ReliableDuplicates++;
            return;
        }
        if (ahead >= ReliableChannel.Window)
        {
            stats.ReliableOutOfWindow++;
            return;
        }
        if (ahead > 0)
        {
            Hold(id % ReliableChannel.Window, index, count, data, ref stats);
            return;
        }
        Process(index, count, data, ref handler, ref stats);
        _next++;
        while (true)
        {
            var slot = _next % ReliableChannel.Window;
            if (!_heldPresent[slot])
            {
                break;
            }
            _heldPresent[slot] = false;
            _next++;
            Process(_heldIndex[slot], _heldCount[slot], _held[slot].AsSpan(0, _heldLength[slot]), ref handler, ref stats);
        }
    }

    private void Hold(int slot, ushort index, ushort count, ReadOnlySpan<byte> data, ref ConnectionStats stats)
    {
        if (_heldPresent[slot])
        {
            stats.ReliableDuplicates++;
            return;
        }
        if (data.Length > _slotBytes)
        {
            stats.ReliableOutOfWindow++; // cannot come from a packet this side accepts; kept as a guard
            return;
        }
        var buffer = _held[slot] ??= new byte[_slotBytes];
        data.CopyTo(buffer);
        _heldLength[slot] = data.Length;
        _heldIndex[slot] = index;
        _heldCount[slot] = count;
        _heldPresent[slot] = true;
    }

    private void Process<THandler>(ushort index, ushort count, ReadOnlySpan<byte> data, ref THandler handler, ref ConnectionStats stats)
        where THandler : struct, IMessageHandler
    {
        if (count == 0)
        {
            _assembler.Abandon(ref stats);
            stats.ReliableDelivered++;
            handler.OnReliable(data);
            return;
        }
        if (_assembler.Add(index, count, data, ref stats))
        {
            stats.ReliableDelivered++;
            handler.OnReliable(_assembler.Message);
            _assembler.Consumed();
        }
    }
}
