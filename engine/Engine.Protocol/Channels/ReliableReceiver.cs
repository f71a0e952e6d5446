using Engine.Protocol.Sessions;

namespace Engine.Protocol.Channels;

/// <summary>
/// The receiving half of the reliable ordered channel: delivers units in id order exactly once.
/// A unit ahead of the next expected id but inside the window is copied into its hold slot (id
/// modulo the window); one behind, or already held, is a duplicate; one past the window is dropped
/// (a correct sender never sends past it). Hold slots live in a <see cref="ReliableHoldStore"/>
/// borrowed from the thread's pool while any unit is held and returned once the gap is filled, so
/// the receiver never holds more than one window of units plus one message being assembled, and an
/// in-order receiver holds nothing.
/// </summary>
internal sealed class ReliableReceiver
{
    private readonly int _slotBytes;
    private readonly FragmentAssembler _assembler = new();
    private ReliableHoldStore? _hold;
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
            return _assembler.RetainedBytes + (_hold?.RetainedBytes ?? 0);
        }
    }

    /// <summary>The most bytes this receiver will ever retain.</summary>
    public int MaxRetainedBytes => (ReliableChannel.Window * _slotBytes) + ReliableChannel.MaxMessageSize;

    public void Reset()
    {
        _next = 0;
        ReleaseHold();
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
        if (_hold is not { } hold)
        {
            return;
        }
        while (true)
        {
            var slot = _next % ReliableChannel.Window;
            if (!hold.Present[slot])
            {
                break;
            }
            hold.Present[slot] = false;
            hold.Count--;
            _next++;
            Process(hold.Index[slot], hold.FragmentCount[slot], hold.Data(slot), ref handler, ref stats);
        }
        if (hold.Count == 0)
        {
            ReleaseHold();
        }
    }

    private void Hold(int slot, ushort index, ushort count, ReadOnlySpan<byte> data, ref ConnectionStats stats)
    {
        if (_hold is { } held && held.Present[slot])
        {
            stats.ReliableDuplicates++;
            return;
        }
        if (data.Length > _slotBytes)
        {
            stats.ReliableOutOfWindow++; // cannot come from a packet this side accepts; kept as a guard
            return;
        }
        var hold = _hold ??= ReliableHoldStore.Rent(_slotBytes);
        hold.Put(slot, index, count, data);
    }

    private void ReleaseHold()
    {
        if (_hold is not null)
        {
            ReliableHoldStore.Return(_hold);
            _hold = null;
        }
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
