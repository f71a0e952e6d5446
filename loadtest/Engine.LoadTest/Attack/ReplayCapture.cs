namespace Engine.LoadTest.Attack;

/// <summary>
/// Real datagrams legit players sent, kept for replays and as a source of stolen connection ids: a
/// ring the swarm thread writes (one datagram in <see cref="Every"/>, while capturing) and the
/// attacker reads, a random entry at a time. The ring covers seconds of traffic, so a replay comes
/// "later": from milliseconds to seconds after the original. Allocates nothing after construction.
/// </summary>
internal sealed class ReplayCapture
{
    public const int Every = 8;
    private const int Slots = 4096;
    private const int SlotBytes = 1500;

    private readonly byte[] _data = new byte[Slots * SlotBytes];
    private readonly int[] _length = new int[Slots];
    private readonly int[] _socket = new int[Slots];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private int _skip;

    /// <summary>Set by the runner: the swarm offers datagrams only while this is on.</summary>
    public volatile bool Capturing;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Called by the swarm thread for every datagram it sends; keeps one in <see cref="Every"/>.</summary>
    public void Offer(ReadOnlySpan<byte> datagram, int socket)
    {
        if (!Capturing || ++_skip < Every || datagram.Length > SlotBytes)
        {
            return;
        }
        _skip = 0;
        lock (_lock)
        {
            datagram.CopyTo(_data.AsSpan(_next * SlotBytes, SlotBytes));
            _length[_next] = datagram.Length;
            _socket[_next] = socket;
            _next = (_next + 1) % Slots;
            _count = Math.Min(_count + 1, Slots);
        }
    }

    /// <summary>Copies a random captured datagram; returns its length (0 when nothing was captured yet) and the legit socket that sent it.</summary>
    public int Take(Span<byte> destination, ref AttackRandom rng, out int socket)
    {
        lock (_lock)
        {
            socket = -1;
            if (_count == 0)
            {
                return 0;
            }
            // Oldest-first bias is not needed: any entry is "later" than its original by now.
            var slot = (_next - 1 - rng.Next(_count) + Slots) % Slots;
            var length = _length[slot];
            _data.AsSpan(slot * SlotBytes, length).CopyTo(destination);
            socket = _socket[slot];
            return length;
        }
    }
}
