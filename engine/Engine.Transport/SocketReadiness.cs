namespace Engine.Transport;

/// <summary>
/// An epoll set over a fixed list of <see cref="BatchSocket"/>s: one epoll_wait says which of them
/// have datagrams waiting, so a client with a thousand sockets receives from the few that are
/// ready instead of asking each in turn. Level-triggered: a socket left with datagrams after a
/// receive is reported again. One thread uses it; no allocation after construction.
/// </summary>
internal sealed unsafe class SocketReadiness : IDisposable
{
    private readonly SafeEpollHandle _epoll;
    private readonly BatchSocket[] _sockets;
    private readonly bool[] _referenced;
    private readonly int _eventSize;
    private readonly int _maxEvents;

    // Pinned for the kernel to write into; room for _maxEvents ready sockets.
    private readonly byte[] _events;
    private readonly int[] _ready;
    private int _readyCount;

    /// <param name="sockets">The sockets to watch; a ready socket is named by its index in this list.</param>
    /// <param name="maxEvents">
    /// The most ready sockets one <see cref="Wait"/> names (0: all of them). With thousands of sockets a
    /// bounded buffer is enough: level-triggered, the sockets not named this time are named by the next wait.
    /// </param>
    public SocketReadiness(IReadOnlyList<BatchSocket> sockets, int maxEvents = 0)
    {
        _sockets = sockets.ToArray();
        _referenced = new bool[_sockets.Length];
        _eventSize = Interop.Sys.EpollEventIsPacked ? sizeof(Interop.Sys.EpollEventPacked) : sizeof(Interop.Sys.EpollEventAligned);
        _maxEvents = Math.Max(1, maxEvents <= 0 ? _sockets.Length : Math.Min(maxEvents, _sockets.Length));
        _events = GC.AllocateUninitializedArray<byte>(_maxEvents * _eventSize, pinned: true);
        _ready = new int[_maxEvents];
        _epoll = Interop.Sys.EpollCreate(Interop.Sys.EpollCloseOnExec);
        if (_epoll.IsInvalid)
        {
            var error = Interop.GetLastError();
            _epoll.Dispose();
            ThrowHelper.ThrowTransportException("epoll_create1", error);
        }
        try
        {
            for (var i = 0; i < _sockets.Length; i++)
            {
                // The set holds the descriptor number: keep it from being closed (and reused) while registered.
                var handle = _sockets[i].Handle;
                handle.DangerousAddRef(ref _referenced[i]);
                Register(handle.FileDescriptor, (ulong)i);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _sockets.Length;

    /// <summary>Sockets found ready by the last <see cref="Wait"/>.</summary>
    public int ReadyCount => _readyCount;

    /// <summary>The index (in the list given at construction) of the <paramref name="index"/>-th ready socket.</summary>
    public int Ready(int index)
    {
        if ((uint)index >= (uint)_readyCount)
        {
            ThrowHelper.ThrowIndexOutOfRange();
        }
        return _ready[index];
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (0: only look, -1: no limit) until a socket has
    /// datagrams waiting or an error to report; returns how many sockets are ready. A signal
    /// interrupting the wait counts as nothing ready.
    /// </summary>
    public int Wait(int timeoutMs)
    {
        int count;
        fixed (byte* events = _events)
        {
            count = Interop.Sys.EpollWait(_epoll, events, _maxEvents, timeoutMs);
        }
        if (count < 0)
        {
            var error = Interop.GetLastError();
            _readyCount = 0;
            if (error != Interop.Error.EINTR)
            {
                ThrowHelper.ThrowTransportException("epoll_wait", error);
            }
            return 0;
        }
        for (var i = 0; i < count; i++)
        {
            _ready[i] = (int)DataOf(i);
        }
        _readyCount = count;
        return count;
    }

    private ulong DataOf(int index)
    {
        fixed (byte* events = _events)
        {
            return Interop.Sys.EpollEventIsPacked
                ? ((Interop.Sys.EpollEventPacked*)events)[index].Data
                : ((Interop.Sys.EpollEventAligned*)events)[index].Data;
        }
    }

    private void Register(int fd, ulong data)
    {
        int result;
        if (Interop.Sys.EpollEventIsPacked)
        {
            var request = new Interop.Sys.EpollEventPacked { Events = Interop.Sys.EpollEvents.In, Data = data };
            result = Interop.Sys.EpollControl(_epoll, Interop.Sys.EpollOperation.Add, fd, &request);
        }
        else
        {
            var request = new Interop.Sys.EpollEventAligned { Events = Interop.Sys.EpollEvents.In, Data = data };
            result = Interop.Sys.EpollControl(_epoll, Interop.Sys.EpollOperation.Add, fd, &request);
        }
        if (result != 0)
        {
            ThrowHelper.ThrowTransportException("epoll_ctl(EPOLL_CTL_ADD)", Interop.GetLastError());
        }
    }

    /// <summary>Closes the epoll set and lets the sockets go (the caller still owns and closes them).</summary>
    public void Dispose()
    {
        _epoll.Dispose();
        for (var i = 0; i < _sockets.Length; i++)
        {
            if (_referenced[i])
            {
                _referenced[i] = false;
                _sockets[i].Handle.DangerousRelease();
            }
        }
    }
}
