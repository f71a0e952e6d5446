using Engine.Client.Netcode;
using Engine.LoadTest.Fleet;
using Engine.Protocol;
using Engine.Protocol.Rooms;

namespace Engine.LoadTest.Swarm;

/// <summary>
/// One simulated player: a real <see cref="ClientConnection"/>, the frames it decoded, its predictor
/// and what it measures. Small on purpose (a few tens of KB with the frames): 10,000 of these share
/// the machine with the server. All of it belongs to the swarm thread.
/// </summary>
internal sealed class SimPlayer
{
    // Input messages in flight whose acknowledgement is awaited (about half a second at 30 Hz).
    private const int AckRing = 16;

    private readonly uint[] _sentSequence = new uint[AckRing];
    private readonly long[] _sentUs = new long[AckRing];
    private int _sentHead;
    private int _sentCount;

    public SimPlayer(int index, int socket, ulong seed)
    {
        Index = index;
        Socket = socket;
        Pattern = new MovementPattern(seed);
        Rng = seed ^ 0x9E3779B97F4A7C15UL;
    }

    public int Index { get; }
    public int Socket { get; }
    public ClientConnection Connection { get; } = new();
    public PlayerPhase Phase { get; set; }
    public RoomIntent Intent { get; set; }
    public bool IsSpectatorRole { get; set; }

    public long StartAtUs { get; set; }
    public long ConnectStartedUs { get; set; }
    public long NextActionUs { get; set; }
    public ulong RoutedId { get; set; }
    public ulong RoutedOldId { get; set; }
    public ulong RoutedNonce { get; set; }

    public ushort NextRequestId { get; set; }
    public ushort PendingRequest { get; set; }
    public long PendingSinceUs { get; set; }

    public uint RoomId { get; set; }

    /// <summary>A fleet run: the node the player's last ticket named (an index into the swarm's node table), -1 for the one server.</summary>
    public int Node { get; set; } = -1;

    /// <summary>A fleet run: the ticket to connect with, once the backend answered; used at the player's start time.</summary>
    public FleetTicket? Ticket { get; set; }

    /// <summary>A fleet run: the room the ticket names (action "join").</summary>
    public uint TicketRoom { get; set; }

    /// <summary>A fleet run: the room the player's kept slot is in, while it plays dead (churn's drops).</summary>
    public uint KeptRoom { get; set; }

    /// <summary>The room epoch of the last Joined; snapshots with another are the previous room's.</summary>
    public byte RoomEpoch { get; set; }
    public byte Slot { get; set; }
    public uint PlayerId { get; set; }
    public int TickRate { get; set; }
    public int SnapshotRate { get; set; }
    public byte[] ResumeToken { get; } = new byte[RoomLimits.ResumeTokenSize];
    public bool HasResumeToken { get; set; }

    public SnapshotApplier<FrameRing>? Snapshots { get; set; }
    public Predictor? Predictor { get; set; }
    public bool Seeded { get; set; }
    public long PlayStartUs { get; set; }
    public long InputsGenerated { get; set; }
    public MovementPattern Pattern;
    public ulong Rng;

    public long LastSnapshotUs { get; set; }
    public uint LastSnapshotTick { get; set; }
    public long NextRttSampleUs { get; set; }
    public long NextChatUs { get; set; }
    public bool Dirty { get; set; }

    public bool InRoom => Phase is PlayerPhase.InRoom or PlayerPhase.Playing or PlayerPhase.Spectating;

    /// <summary>Remembers that the input message carrying <paramref name="newest"/> left at <paramref name="nowUs"/>.</summary>
    public bool TrackSent(uint newest, long nowUs)
    {
        var overflow = false;
        if (_sentCount == AckRing)
        {
            _sentHead = (_sentHead + 1) % AckRing;
            _sentCount--;
            overflow = true;
        }
        var i = (_sentHead + _sentCount) % AckRing;
        _sentSequence[i] = newest;
        _sentUs[i] = nowUs;
        _sentCount++;
        return !overflow;
    }

    /// <summary>Pops every input message now acknowledged (its newest input applied) and reports how long each took.</summary>
    public void Acknowledge<TSink>(uint lastApplied, long nowUs, ref TSink sink) where TSink : struct, ILatencySink
    {
        while (_sentCount > 0 && _sentSequence[_sentHead] <= lastApplied)
        {
            sink.Record(nowUs - _sentUs[_sentHead]);
            _sentHead = (_sentHead + 1) % AckRing;
            _sentCount--;
        }
    }

    public void ClearSent()
    {
        _sentHead = 0;
        _sentCount = 0;
    }

    public int NextRandom(int bound)
    {
        Rng ^= Rng << 13;
        Rng ^= Rng >> 7;
        Rng ^= Rng << 17;
        return (int)(Rng % (uint)bound);
    }
}

internal interface ILatencySink
{
    void Record(long us);
}
