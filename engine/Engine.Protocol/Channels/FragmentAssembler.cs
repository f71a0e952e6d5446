using Engine.Protocol.Sessions;

namespace Engine.Protocol.Channels;

/// <summary>
/// Joins the fragments of one reliable message. Fragments arrive here already in id order (the
/// receiver's ordering window sees to that), so a message is simply appended until its last
/// fragment. The buffer grows by doubling to at most 64 KiB and is kept; anything that would pass
/// the cap, or does not continue the message in progress, drops the message and is counted.
/// </summary>
internal sealed class FragmentAssembler
{
    private const int InitialBytes = 4 * 1024;

    private byte[]? _buffer;
    private int _length;
    private int _nextIndex;
    private int _count;

    public bool InProgress => _count != 0;

    /// <summary>The completed message; valid after <see cref="Add"/> returned true, until the next call.</summary>
    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);

    public int RetainedBytes => _buffer?.Length ?? 0;

    public void Reset()
    {
        _length = 0;
        _nextIndex = 0;
        _count = 0;
    }

    /// <summary>Drops a message in progress (a whole message arrived where its next fragment should have).</summary>
    public void Abandon(ref ConnectionStats stats)
    {
        if (InProgress)
        {
            stats.ReliableFragmentsDropped += _nextIndex;
            Reset();
        }
    }

    /// <summary>Appends one fragment; true when it completed the message (read <see cref="Message"/>).</summary>
    public bool Add(int index, int count, ReadOnlySpan<byte> data, ref ConnectionStats stats)
    {
        if (index == 0)
        {
            Abandon(ref stats);
            _count = count;
        }
        else if (index != _nextIndex || count != _count)
        {
            // Not the continuation of the message in progress: only a broken or hostile peer does this.
            Abandon(ref stats);
            stats.ReliableFragmentsDropped++;
            return false;
        }
        if (_length + data.Length > ReliableChannel.MaxMessageSize)
        {
            Abandon(ref stats);
            stats.ReliableFragmentsDropped++;
            return false;
        }
        EnsureCapacity(_length + data.Length);
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
        _nextIndex++;
        if (_nextIndex < _count)
        {
            return false;
        }
        _nextIndex = 0;
        _count = 0;
        return true;
    }

    /// <summary>Call after reading a completed message.</summary>
    public void Consumed() => _length = 0;

    private void EnsureCapacity(int needed)
    {
        if (_buffer is not null && needed <= _buffer.Length)
        {
            return;
        }
        var capacity = _buffer?.Length ?? InitialBytes;
        while (capacity < needed)
        {
            capacity *= 2;
        }
        var grown = new byte[Math.Min(capacity, ReliableChannel.MaxMessageSize)];
        _buffer?.AsSpan(0, _length).CopyTo(grown);
        _buffer = grown;
    }
}
