using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>
/// The sessions of one shard by connection id, and the ids of sessions on the move: a session
/// that moved here stays listed under its previous id until the client has switched (or the grace
/// ends), and the id of a session that moved away keeps naming its new shard so that late packets
/// follow it. Owned by the shard thread.
/// Every live session is also in a dense list that the timer pass walks: a dictionary's
/// enumeration walks every entry it ever used (its high-water mark after a peak) and reaches each
/// session through its entry, its connection and the id to skip previous ids.
/// </summary>
internal sealed class SessionTable
{
    private readonly Dictionary<ulong, Session> _byId = new();
    private readonly Dictionary<ulong, long> _previousIdExpiry = new();
    private readonly Dictionary<ulong, (int Shard, long ExpiresUs)> _movedAway = new();
    private readonly List<Session> _live = new();

    public bool TryGet(ulong connectionId, out Session session) => _byId.TryGetValue(connectionId, out session!);

    public bool Contains(ulong connectionId) => _byId.ContainsKey(connectionId);

    /// <summary>An id that belongs to a move (a previous id here, or the id of a session that left): not a misrouted packet.</summary>
    public bool IsMoving(ulong connectionId) => _movedAway.ContainsKey(connectionId) || _previousIdExpiry.ContainsKey(connectionId);

    /// <summary>Each session once, in no particular order.</summary>
    public Sessions All => new(_live);

    public int Count => _live.Count;

    public void Add(Session session)
    {
        _byId.Add(session.Connection.Id, session);
        List(session);
    }

    /// <summary>A session moving here: listed under its old id (until <paramref name="previousIdExpiresUs"/>) and the new one.</summary>
    public void AddArrival(Session session, ulong newConnectionId, long previousIdExpiresUs)
    {
        var oldId = session.Connection.Id;
        session.PreviousConnectionId = oldId;
        session.PendingConnectionId = newConnectionId;
        _byId[oldId] = session;
        _byId[newConnectionId] = session;
        _previousIdExpiry[oldId] = previousIdExpiresUs;
        List(session);
    }

    /// <summary>Forgets every id of the session; true when it was listed under its current id (it was open here).</summary>
    public bool Remove(Session session)
    {
        // The current id first: until the client switches, it is also the previous id.
        var open = _byId.Remove(session.Connection.Id);
        if (session.PreviousConnectionId != 0)
        {
            _byId.Remove(session.PreviousConnectionId);
            _previousIdExpiry.Remove(session.PreviousConnectionId);
        }
        if (session.PendingConnectionId != 0)
        {
            _byId.Remove(session.PendingConnectionId);
        }
        Unlist(session);
        return open;
    }

    private void List(Session session)
    {
        session.LiveIndex = _live.Count;
        _live.Add(session);
    }

    // Swap-remove: the last session takes the leaver's place.
    private void Unlist(Session session)
    {
        var index = session.LiveIndex;
        if (index < 0)
        {
            return;
        }
        var last = _live[^1];
        _live[index] = last;
        last.LiveIndex = index;
        _live.RemoveAt(_live.Count - 1);
        session.LiveIndex = -1;
    }

    /// <summary>
    /// The session left for <paramref name="shard"/>: forgotten here under every id (the shard it
    /// went to owns it now), and its current id forwarded there until <paramref name="expiresUs"/>.
    /// </summary>
    public void RemoveMovedAway(Session session, int shard, long expiresUs)
    {
        Remove(session);
        _movedAway[session.Connection.Id] = (shard, expiresUs);
    }

    /// <summary>The shard a session moved to, for a packet still arriving under its old id.</summary>
    public bool TryGetMovedAway(ulong connectionId, out int shard)
    {
        var found = _movedAway.TryGetValue(connectionId, out var movedAway);
        shard = movedAway.Shard;
        return found;
    }

    /// <summary>Ends the grace of previous and moved-away ids.</summary>
    public void ExpireMoves(long nowUs)
    {
        foreach (var (id, movedAway) in _movedAway)
        {
            if (movedAway.ExpiresUs <= nowUs)
            {
                _movedAway.Remove(id);
            }
        }
        foreach (var (id, expires) in _previousIdExpiry)
        {
            if (expires <= nowUs)
            {
                _previousIdExpiry.Remove(id);
                _byId.Remove(id);
            }
        }
    }

    public void Clear()
    {
        foreach (var session in _live)
        {
            session.LiveIndex = -1;
        }
        _live.Clear();
        _byId.Clear();
    }

    /// <summary>The live sessions once each; allocation-free. The list must not change during the walk.</summary>
    public readonly struct Sessions(List<Session> live)
    {
        public List<Session>.Enumerator GetEnumerator() => live.GetEnumerator();
    }
}
