using Engine.Protocol;

namespace Engine.Server.Shards;

/// <summary>
/// Counters of one shard. Only the shard thread writes them (plain increments, no contention);
/// readers on other threads aggregate them with volatile reads when they observe.
/// </summary>
public sealed class ShardCounters
{
    private readonly long[] _drops = new long[DropReasons.Count];

    public long DatagramsIn;
    public long DatagramsOut;
    public long BytesIn;
    public long BytesOut;
    public long HellosReceived;
    public long ChallengesSent;
    public long WelcomesSent;
    public long RejectsSent;
    public long SessionsOpened;
    public long SessionsClosed;
    public long SessionsTimedOut;

    /// <summary>Session packets received on this shard for sessions this shard owns.</summary>
    public long OwnSessionPackets;

    /// <summary>The copies of a client's Disconnect that came after the first had closed its session (it is sent three times): not drops.</summary>
    public long DisconnectRepeats;

    /// <summary>Session packets whose connection id names another shard: must stay 0 while steering works.</summary>
    public long MisroutedSessionPackets;

    public long RoomRequests;
    public long RoomJoins;
    public long RoomResumes;
    public long RoomsClosed;
    public long RoomPasswordFailures;
    public long ChatRateLimited;
    public long ChatRejected;

    /// <summary>Players sent to a room on another node (a Redirect with a token and a resume ticket).</summary>
    public long FleetRedirects;

    /// <summary>Resume tickets from other nodes accepted here, and refused (forged, expired, another player's, used).</summary>
    public long TicketsRedeemed;
    public long TicketsRefused;

    /// <summary>Reliable messages refused because a session's send window was full.</summary>
    public long ReliableOverflows;
    public long SessionsMovedAway;
    public long SessionsMovedIn;
    public long ForwardedDatagrams;
    public long AddressLimitRejects;
    public long InputsOutsideRoom;
    public long SpectatorInputs;
    public long SnapshotsSent;
    public long SnapshotBytes;
    public long PartialSnapshots;

    /// <summary>Encodings made once and sent to every client whose view was the same (keyframes among them).</summary>
    public long SharedEncodings;

    /// <summary>Deltas encoded for one player alone (its view was its own, or no shared encoding fitted).</summary>
    public long PlayerEncodings;

    /// <summary>Whole-room deltas encoded for one spectator alone.</summary>
    public long SpectatorEncodings;

    /// <summary>Snapshots the overload policy skipped for a client (sent at a later snapshot tick).</summary>
    public long SnapshotsDeferred;

    /// <summary>Clients the overload policy sent back to the room's shared keyframe instead of a delta of their own.</summary>
    public long ViewsReset;

    /// <summary>The shard's overload level now (0 normal, 1 over budget, 2 far over).</summary>
    public int OverloadLevel;

    /// <summary>Bytes the shard thread has allocated since it started, sampled at each timer pass: flat in steady state.</summary>
    public long AllocatedBytes;

    public void Drop(DropReason reason) => _drops[(int)reason]++;

    public void Drop(DropReason reason, long count) => _drops[(int)reason] += count;

    public long Drops(DropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    public long TotalDrops()
    {
        long total = 0;
        for (var i = 1; i < _drops.Length; i++)
        {
            total += Volatile.Read(ref _drops[i]);
        }
        return total;
    }
}
