using Engine.Protocol.Rooms;
using Engine.Protocol.Sessions;
using Engine.Server.Rooms;
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

    /// <summary>Already in the shard's list of sessions with output to flush this loop.</summary>
    public bool QueuedForFlush { get; set; }

    public Room? Room { get; set; }
    public byte Slot { get; set; } = RoomLimits.NoSlot;
    public bool IsSpectator => Room is not null && Slot == RoomLimits.NoSlot;

    /// <summary>The token that takes this player's slot back after a reconnect.</summary>
    public byte[] ResumeToken { get; } = new byte[RoomLimits.ResumeTokenSize];

    /// <summary>The client's view of the room's world, the baseline of its next delta; null outside rooms.</summary>
    public Simulation.SnapshotView? View { get; private set; }

    /// <summary>Starts a fresh view for a room of this capacity (reusing the last one when it fits).</summary>
    public Simulation.SnapshotView ResetView(int capacity)
    {
        if (View is null || View.Capacity != capacity)
        {
            View = new Simulation.SnapshotView(capacity);
        }
        View.Reset();
        return View;
    }

    /// <summary>Per-slot priority accumulators for this viewer, used when a snapshot cannot hold everyone.</summary>
    public float[] Priority { get; set; } = [];

    /// <summary>Per-session limits: datagrams and reliable messages.</summary>
    public Limits.TokenBucket Packets;
    public Limits.TokenBucket Reliables;

    /// <summary>Chat token bucket.</summary>
    public double ChatTokens { get; set; }
    public long ChatRefilledUs { get; set; }

    /// <summary>The id this session had on the shard it was handed over from; 0 when none.</summary>
    public ulong PreviousConnectionId { get; set; }

    /// <summary>The id the client was told to switch to; the server sends under the old one until the client uses it.</summary>
    public ulong PendingConnectionId { get; set; }

    /// <summary>A reconnecting player takes back the id they had in the room.</summary>
    public void AdoptPlayerId(uint playerId) => PlayerId = playerId;

    /// <summary>The player id the backend put in the connect token (authenticated); 0 on an insecure server.</summary>
    public ulong TokenPlayerId { get; private set; }

    public void Open(ulong connectionId, in PeerAddress address, uint playerId, long nowUs, Protocol.Security.PacketProtection? keys = null, ulong tokenPlayerId = 0)
    {
        Connection.Reset(connectionId, nowUs, keys);
        TokenPlayerId = tokenPlayerId;
        Address = address;
        PlayerId = playerId;
        QueuedForFlush = false;
        Room = null;
        Slot = RoomLimits.NoSlot;
        ChatTokens = -1;
        Packets = default;
        Reliables = default;
        ChatRefilledUs = nowUs;
        PreviousConnectionId = 0;
        PendingConnectionId = 0;
        View?.Reset();
    }
}
