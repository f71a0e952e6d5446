using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Sessions;
using Engine.Server.Limits;
using Engine.Server.Rooms;
using Engine.Server.Snapshots;
using Engine.Transport;

namespace Engine.Server.Sessions;

/// <summary>One player's session on the shard that owns it. Pooled: see <see cref="SessionPool"/>.</summary>
internal sealed class Session
{
    public Session(Connection connection)
    {
        Connection = connection;
    }

    public Connection Connection { get; }
    public PeerAddress Address { get; private set; }

    /// <summary>Identifies the player to others for the whole session, across rooms and shards.</summary>
    public uint PlayerId { get; private set; }

    /// <summary>Where the session sits in its shard's dense list of live sessions; -1 when not listed.</summary>
    public int LiveIndex { get; set; } = -1;

    /// <summary>Already in the shard's list of sessions with output to flush this loop.</summary>
    public bool QueuedForFlush { get; set; }

    public Room? Room { get; set; }
    public byte Slot { get; set; } = RoomLimits.NoSlot;
    public bool IsSpectator => Room is not null && Slot == RoomLimits.NoSlot;

    /// <summary>The token that takes this player's slot back after a reconnect.</summary>
    public byte[] ResumeToken { get; } = new byte[RoomLimits.ResumeTokenSize];

    /// <summary>The client's view of the room's world, the baseline of its next delta; null outside rooms.</summary>
    public SnapshotView? View { get; private set; }

    /// <summary>Counts the rooms this session entered (wrapping); its Joined and every snapshot of that room carry it.</summary>
    public byte RoomEpoch { get; private set; }

    /// <summary>
    /// Starts a fresh view for a room of this capacity (reusing the last one when it fits), and
    /// priorities for each of its slots; a new room epoch, so the client tells this room's snapshots
    /// from the previous room's.
    /// </summary>
    public SnapshotView ResetView(int capacity)
    {
        RoomEpoch++;
        if (View is null || View.Capacity != capacity)
        {
            View = new SnapshotView(capacity);
        }
        if (Priority.Length < capacity)
        {
            Priority = new float[capacity]; // with the view, not with the first crowded snapshot (see SnapshotView)
        }
        View.Reset();
        return View;
    }

    /// <summary>Per-slot priority accumulators for this viewer, used when a snapshot cannot hold everyone.</summary>
    public float[] Priority { get; set; } = [];

    /// <summary>Per-session limits: datagrams and reliable messages.</summary>
    public TokenBucket Packets;
    public TokenBucket Reliables;

    // Chat token bucket: fractional tokens, so slow rates (one message every few seconds) work.
    private double _chatTokens;
    private long _chatRefilledUs;

    /// <summary>The id this session had on the shard it moved from; 0 when none.</summary>
    public ulong PreviousConnectionId { get; set; }

    /// <summary>The id the client was told to switch to; the server sends under the old one until the client uses it.</summary>
    public ulong PendingConnectionId { get; set; }

    /// <summary>A reconnecting player takes back the id they had in the room.</summary>
    public void AdoptPlayerId(uint playerId) => PlayerId = playerId;

    /// <summary>The player id the backend put in the connect token (authenticated); 0 on an insecure server.</summary>
    public ulong TokenPlayerId { get; private set; }

    /// <summary>Takes one chat message from the player's allowance (<paramref name="burst"/>, refilled at <paramref name="perSecond"/>); false when spent.</summary>
    public bool TryTakeChat(int burst, double perSecond, long nowUs)
    {
        if (_chatTokens < 0)
        {
            _chatTokens = burst;
        }
        var refill = (nowUs - _chatRefilledUs) / 1_000_000.0 * perSecond;
        _chatTokens = Math.Min(burst, _chatTokens + refill);
        _chatRefilledUs = nowUs;
        if (_chatTokens < 1)
        {
            return false;
        }
        _chatTokens -= 1;
        return true;
    }

    /// <summary>Starts a new session in this (pooled) object: a fresh connection, no room, full allowances.</summary>
    public void Begin(ulong connectionId, in PeerAddress address, uint playerId, long nowUs, PacketProtection? keys = null, ulong tokenPlayerId = 0)
    {
        Connection.Reset(connectionId, nowUs, keys);
        TokenPlayerId = tokenPlayerId;
        Address = address;
        PlayerId = playerId;
        QueuedForFlush = false;
        Room = null;
        Slot = RoomLimits.NoSlot;
        _chatTokens = -1;
        Packets = default;
        Reliables = default;
        _chatRefilledUs = nowUs;
        PreviousConnectionId = 0;
        PendingConnectionId = 0;
        RoomEpoch = 0;
        View?.Reset();
    }
}
