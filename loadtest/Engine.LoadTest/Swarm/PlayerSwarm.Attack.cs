using Engine.LoadTest.Attack;

namespace Engine.LoadTest.Swarm;

internal sealed partial class PlayerSwarm
{
    // At most this many same-address replays in one pass, so a stall never turns into a burst.
    private const int MaxReplayBurst = 256;

    private readonly byte[] _replay = new byte[SocketPool.MaxDatagram];
    private ReplayCapture? _capture;
    private AttackRandom _replayRng = new(0x5DEECE66DUL);
    private double _replayCredit;
    private long _lastReplayUs;

    /// <summary>Hostile: the ring the swarm copies some of its sent datagrams into, for the attack's replays and stolen ids.</summary>
    public ReplayCapture? Capture
    {
        get => _capture;
        set => _capture = value;
    }

    /// <summary>
    /// Hostile: captured datagrams per second to resend from the very socket (address and port) that
    /// sent them. Only this thread may use the players' sockets, so this part of the attack runs here.
    /// </summary>
    public double ReplaySameRate { get; set; }

    private void ReplaySameAddress(long now)
    {
        if (ReplaySameRate <= 0 || _capture is null)
        {
            _lastReplayUs = now;
            _replayCredit = 0;
            return;
        }
        _replayCredit = Math.Min(_replayCredit + (ReplaySameRate * (now - _lastReplayUs) / 1e6), MaxReplayBurst);
        _lastReplayUs = now;
        for (; _replayCredit >= 1; _replayCredit--)
        {
            var length = _capture.Take(_replay, ref _replayRng, out var socket);
            if (length == 0)
            {
                continue;
            }
            _replay.AsSpan(0, length).CopyTo(_sockets.NextSendBuffer(socket));
            _sockets.CommitSend(socket, length);
            _counters.ReplaysSameAddress++;
            _counters.ReplaySameAddressBytes += length;
        }
    }
}
