using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Engine.LoadTest.Metrics;
using Engine.Protocol.Security;
using Engine.Protocol.Time;

namespace Engine.LoadTest.Fleet;

/// <summary>
/// Tickets for the swarm's players, fetched off the swarm thread. The swarm posts a player's index
/// (<see cref="Request"/>) a little before the player is due to connect; a dispatcher thread hands each
/// request to an HTTP call, at most <see cref="MaxInFlight"/> at once; the answer is stored for that
/// player and its index posted back, where the swarm's pass picks it up (<see cref="TryTake"/>). Both
/// directions are bounded channels sized for every player, so a post never waits and, once their
/// queues have grown, neither side allocates.
/// </summary>
internal sealed class TicketQueue : IDisposable
{
    /// <summary>Matchmaking calls in flight at most: enough to keep up with thousands of connects a second without flooding the backend.</summary>
    public const int MaxInFlight = 32;

    private const string MatchmakeCall = "POST /v1/matchmake";
    private const string RejoinCall = "POST /v1/nodes/{id}/resume";

    private readonly BackendPlacement _backend;
    private readonly NodeTable _nodes;
    private readonly long _firstPlayerId;
    private readonly int _capacity;
    private readonly Channel<int> _requests;
    private readonly Channel<int> _answers;
    private readonly FleetTicket?[] _tickets;

    // A player resuming its kept slot asks for a ticket to the room it left (set before its request is posted).
    private readonly int[] _rejoinNode;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly Thread _dispatcher;
    private volatile bool _stop;

    // The HTTP time of every matchmaking call (µs): recorded by the calls and closed each second by the swarm thread, under _statsGate.
    private readonly object _statsGate = new();
    private readonly LatencySet _latency = new("matchmaking");
    private readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _calls;
    private long _failed;
    private long _rejoinsRefused;
    private long _joinTickets;
    private long _quickMatchTickets;

    public TicketQueue(BackendPlacement backend, NodeTable nodes, int players, long firstPlayerId, int roomCapacity)
    {
        _backend = backend;
        _nodes = nodes;
        _firstPlayerId = firstPlayerId;
        _capacity = roomCapacity;
        _requests = Channel.CreateBounded<int>(new BoundedChannelOptions(Math.Max(1, players)) { SingleWriter = true, SingleReader = true });
        _answers = Channel.CreateBounded<int>(new BoundedChannelOptions(Math.Max(1, players)) { SingleReader = true });
        _tickets = new FleetTicket?[players];
        _rejoinNode = new int[players];
        Array.Fill(_rejoinNode, -1);
        _dispatcher = new Thread(Dispatch) { Name = "matchmaking", IsBackground = true };
        _dispatcher.Start();
    }

    public NodeTable Nodes => _nodes;

    /// <summary>Swarm thread: asks for a ticket for player <paramref name="player"/> (one request per player at a time).</summary>
    public bool Request(int player)
    {
        _rejoinNode[player] = -1;
        return _requests.Writer.TryWrite(player);
    }

    /// <summary>Swarm thread: asks for a ticket to the node that keeps the player's slot; when refused (the node is gone or draining), a matchmade one.</summary>
    public bool RequestRejoin(int player, int node)
    {
        _rejoinNode[player] = node;
        return _requests.Writer.TryWrite(player);
    }

    /// <summary>Swarm thread: the next answer, if one has come.</summary>
    public bool TryTake(out int player, out FleetTicket ticket)
    {
        if (_answers.Reader.TryRead(out player))
        {
            ticket = _tickets[player]!;
            return true;
        }
        ticket = null!;
        return false;
    }

    /// <summary>The second's latencies (the swarm thread closes each second).</summary>
    public Percentiles CloseInterval()
    {
        lock (_statsGate)
        {
            return _latency.CloseInterval();
        }
    }

    public MatchmakingTotals Totals()
    {
        lock (_statsGate)
        {
            return new MatchmakingTotals(_calls, _failed, _rejoinsRefused, _joinTickets, _quickMatchTickets, Percentiles.Of(_latency.Run), new Dictionary<string, long>(_failures));
        }
    }

    private void Dispatch()
    {
        while (!_stop)
        {
            if (!_requests.Reader.TryRead(out var player))
            {
                Thread.Sleep(1); // requests are posted ahead of need: a millisecond here costs nothing
                continue;
            }
            while (!_inFlight.Wait(100))
            {
                if (_stop)
                {
                    return;
                }
            }
            _ = FetchAsync(player);
        }
    }

    private async Task FetchAsync(int player)
    {
        FleetTicket ticket;
        try
        {
            var id = _firstPlayerId + player;
            BackendAnswer answer;
            var node = _rejoinNode[player];
            if (node >= 0)
            {
                answer = await _backend.ResumeAsync(_nodes.Id(node), id).ConfigureAwait(false);
                Count(RejoinCall, answer);
                if (!answer.Ok)
                {
                    answer = await _backend.MatchmakeAsync(id, _capacity).ConfigureAwait(false);
                    Count(MatchmakeCall, answer);
                }
            }
            else
            {
                answer = await _backend.MatchmakeAsync(id, _capacity).ConfigureAwait(false);
                Count(MatchmakeCall, answer);
            }
            ticket = Read(answer);
        }
        finally
        {
            _inFlight.Release();
        }
        if (ticket.Status == 200 && !ticket.Placed)
        {
            CountFailure("unreadable ticket");
        }
        else if (ticket.Placed)
        {
            lock (_statsGate)
            {
                if (ticket.Join)
                {
                    _joinTickets++;
                }
                else
                {
                    _quickMatchTickets++;
                }
            }
        }
        // The write publishes the ticket stored before it to the swarm thread that reads the index.
        _tickets[player] = ticket;
        _answers.Writer.TryWrite(player);
    }

    private void Count(string call, BackendAnswer answer)
    {
        lock (_statsGate)
        {
            _calls++;
            _latency.Record(answer.ElapsedUs);
        }
        if (!answer.Ok)
        {
            CountFailure(answer.Status == 0 ? $"{call}: no answer" : string.Create(CultureInfo.InvariantCulture, $"{call}: {answer.Status}"), rejoin: call == RejoinCall);
        }
    }

    /// <summary>A refused resume ticket is not a failure of matchmaking: the player is matchmade instead (its node is gone or draining).</summary>
    private void CountFailure(string what, bool rejoin = false)
    {
        lock (_statsGate)
        {
            if (rejoin)
            {
                _rejoinsRefused++;
            }
            else
            {
                _failed++;
            }
            _failures[what] = _failures.GetValueOrDefault(what) + 1;
        }
    }

    /// <summary>The ticket in a 200 answer; a refusal keeps only its status.</summary>
    private FleetTicket Read(BackendAnswer answer)
    {
        if (!answer.Ok)
        {
            return new FleetTicket { Status = answer.Status };
        }
        var body = answer.Body;
        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty("nodeId", out var nodeId) || !body.TryGetProperty("address", out var address)
            || !body.TryGetProperty("token", out var token) || !ConnectToken.TryParse(token.GetString(), out var parsed)
            || _nodes.IndexOf(nodeId.GetString() ?? "", address.GetString() ?? "") is var node && node < 0)
        {
            return new FleetTicket { Status = 200 };
        }
        var join = body.TryGetProperty("action", out var action) && action.GetString() == "join";
        var expiresUnixMs = (body.TryGetProperty("expiresUnixSeconds", out var expires) ? expires.GetInt64() : parsed!.ExpireUnixSeconds) * 1000;
        return new FleetTicket
        {
            Status = 200,
            Node = node,
            Token = parsed,
            Join = join && body.TryGetProperty("room", out var room) && room.ValueKind == JsonValueKind.Number,
            Room = join && body.TryGetProperty("room", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetUInt32() : 0,
            Capacity = body.TryGetProperty("capacity", out var capacity) ? capacity.GetInt32() : _capacity,
            ExpiresAtUs = MonotonicClock.NowUs + ((expiresUnixMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) * 1000),
        };
    }

    public void Dispose()
    {
        _stop = true;
        _dispatcher.Join(TimeSpan.FromSeconds(2));
    }
}

