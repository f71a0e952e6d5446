using System.Net;
using Engine.Protocol.Time;
using Engine.Protocol.Wire;
using Engine.Transport;

namespace Engine.LoadTest.Attack;

/// <summary>
/// The hostile traffic of the hostile scenario, on its own thread and its own sockets (one per
/// source address, 127.1.x.y, never the players' addresses): garbage, oversized, replayed (from
/// other addresses), spoofed-source hellos, forged session packets and bad-cookie hellos, each at
/// its share of the rate the runner sets. Replays from the players' own addresses are sent by the
/// swarm thread, which owns those sockets. Raw bytes only: it needs nothing from a session.
/// </summary>
internal sealed class Attacker : IDisposable
{
    // Credit carried over when the thread fell behind: at most this many datagrams of a kind at once.
    private const int MaxBurst = 2048;
    private const int DrainSocketsPerPass = 4;

    private readonly BatchSocket[] _sockets;
    private readonly SendBatch _send = new(64, AttackPackets.MaxOversized);
    private readonly ReceiveBatch _receive = new(64, 2048);
    private readonly PeerAddress _server;
    private readonly ReplayCapture _capture;
    private readonly int _maxPayload;
    private readonly double[] _rates = new double[AttackKinds.Count];
    private readonly double[] _credit = new double[AttackKinds.Count];
    private readonly long[] _sent = new long[AttackKinds.Count];
    private readonly long[] _bytes = new long[AttackKinds.Count];
    private readonly long[] _unavailable = new long[AttackKinds.Count];
    private readonly Thread _thread;
    private AttackRandom _rng = new((ulong)Environment.TickCount64 * 0x9E3779B97F4A7C15UL);
    private long _repliesReceived;
    private long _replyBytes;
    private int _socket;
    private int _drain;
    private volatile bool _armed;
    private volatile bool _stop;

    public Attacker(IPEndPoint server, int addresses, ReplayCapture capture, int maxPayload = ProtocolConstants.DefaultMaxPayload)
    {
        _server = PeerAddress.FromEndPoint(server);
        _capture = capture;
        _maxPayload = maxPayload;
        _sockets = new BatchSocket[addresses];
        try
        {
            for (var i = 0; i < addresses; i++)
            {
                _sockets[i] = BatchSocket.Open(new BatchSocketOptions
                {
                    BindAddress = AddressOf(i),
                    Port = 0,
                    // Replies (challenges) are drained now and then; the send side is where the volume is.
                    ReceiveBufferBytes = 256 * 1024,
                    SendBufferBytes = 1024 * 1024,
                });
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _thread = new Thread(Run) { Name = "attacker", IsBackground = true };
    }

    /// <summary>Attack source i: 127.1.(i / 254).(1 + i % 254); all of 127.0.0.0/8 is loopback on Linux.</summary>
    public static IPAddress AddressOf(int i) => new([127, 1, (byte)(i / 254), (byte)(1 + (i % 254))]);

    public int Addresses => _sockets.Length;

    public string Describe() => _sockets.Length == 0 ? "" : $"{_sockets.Length} sockets, {_sockets[0].LocalEndPoint.Address} to {_sockets[^1].LocalEndPoint.Address}";

    public void Start() => _thread.Start();

    /// <summary>Packets per second of every kind this thread sends (replay-same is the swarm's); 0 stops the attack.</summary>
    public void SetRates(ReadOnlySpan<double> perSecond)
    {
        lock (_rates)
        {
            perSecond.CopyTo(_rates);
            _rates[(int)AttackKind.ReplaySame] = 0;
        }
        _armed = perSecond.ToArray().Any(r => r > 0);
    }

    /// <summary>Datagrams and bytes sent so far per kind, the ones that could not be built (nothing captured yet), and the server's replies.</summary>
    public AttackTotals Totals()
    {
        var totals = new AttackTotals();
        for (var k = 0; k < AttackKinds.Count; k++)
        {
            totals.Sent[k] = Volatile.Read(ref _sent[k]);
            totals.Bytes[k] = Volatile.Read(ref _bytes[k]);
            totals.Unavailable[k] = Volatile.Read(ref _unavailable[k]);
        }
        totals.Replies = Volatile.Read(ref _repliesReceived);
        totals.ReplyBytes = Volatile.Read(ref _replyBytes);
        long drops = 0;
        foreach (var s in _sockets)
        {
            drops += s.Counters.SendDrops + s.Counters.SendErrors;
        }
        totals.SendDrops = drops;
        return totals;
    }

    private void Run()
    {
        var last = MonotonicClock.NowUs;
        Span<double> rates = stackalloc double[AttackKinds.Count];
        while (!_stop)
        {
            var now = MonotonicClock.NowUs;
            var dt = now - last;
            last = now;
            if (_armed)
            {
                lock (_rates)
                {
                    _rates.CopyTo(rates);
                }
                for (var k = 0; k < AttackKinds.Count; k++)
                {
                    _credit[k] = Math.Min(_credit[k] + (rates[k] * dt / 1e6), MaxBurst);
                    var n = (int)_credit[k];
                    _credit[k] -= n;
                    for (var i = 0; i < n; i++)
                    {
                        Emit((AttackKind)k, now);
                    }
                }
                Flush();
                // The next pass comes from the next address: every source sends a share.
                _socket = (_socket + 1) % _sockets.Length;
            }
            else
            {
                Array.Clear(_credit);
            }
            Drain();
            Thread.Sleep(1);
        }
    }

    private void Emit(AttackKind kind, long now)
    {
        if (_send.IsFull)
        {
            Flush();
        }
        var buffer = _send.NextBuffer();
        var length = kind switch
        {
            AttackKind.Garbage => AttackPackets.Garbage(buffer, ref _rng, _maxPayload),
            AttackKind.Oversized => AttackPackets.Oversized(buffer, ref _rng, _maxPayload),
            AttackKind.Replay => _capture.Take(buffer, ref _rng, out _),
            AttackKind.SpoofedHello => AttackPackets.Hello(buffer, _rng.NextUInt64(), default),
            AttackKind.ForgedSession => AttackPackets.ForgedSession(buffer, ref _rng, StolenOrGuessedId(buffer)),
            AttackKind.BadCookie => AttackPackets.BadCookieHello(buffer, ref _rng, now),
            _ => 0,
        };
        if (length == 0)
        {
            _unavailable[(int)kind]++;
            return;
        }
        _send.Commit(_server, length);
        Volatile.Write(ref _sent[(int)kind], _sent[(int)kind] + 1);
        Volatile.Write(ref _bytes[(int)kind], _bytes[(int)kind] + length);
    }

    /// <summary>Half the forgeries carry an id seen in a captured legit packet (a live session's), half a guess.</summary>
    private ulong StolenOrGuessedId(Span<byte> scratch)
    {
        if (_rng.Next(2) == 0 && _capture.Take(scratch, ref _rng, out _) is > 0 and var length)
        {
            var id = AttackPackets.ConnectionIdOf(scratch[..length]);
            if (id != 0)
            {
                return id;
            }
        }
        return AttackPackets.GuessedConnectionId(ref _rng);
    }

    private void Flush()
    {
        if (_send.Count > 0)
        {
            _sockets[_socket].Send(_send);
        }
    }

    /// <summary>Reads what the server answered (challenges to the spoofed hellos) from a few sockets in turn: the reflection the report shows.</summary>
    private void Drain()
    {
        for (var i = 0; i < DrainSocketsPerPass && i < _sockets.Length; i++)
        {
            _drain = (_drain + 1) % _sockets.Length;
            int n;
            while ((n = _sockets[_drain].Receive(_receive)) > 0)
            {
                long bytes = 0;
                for (var d = 0; d < n; d++)
                {
                    bytes += _receive.Payload(d).Length;
                }
                Volatile.Write(ref _repliesReceived, _repliesReceived + n);
                Volatile.Write(ref _replyBytes, _replyBytes + bytes);
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread is { IsAlive: true })
        {
            _thread.Join(2000);
        }
        foreach (var s in _sockets)
        {
            s?.Dispose();
        }
        _send.Dispose();
        _receive.Dispose();
    }
}
