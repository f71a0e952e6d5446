using Engine.Server.Sessions;

namespace Engine.Server.Shards;

/// <summary>
/// The sessions of one shard by connection id, and the ids of sessions on the move: a session
/// that moved here stays listed under its previous id until the client has switched (or the grace
/// ends), and the id of a session that moved away keeps naming its new shard so that late packets
/// follow it. Owned by the shard thread.
/// </summary>
internal sealed class SessionTable
{
    private readonly Dictionary<ulong, Session> _byId = new();
    private readonly Dictionary<ulong, long> _previousIdExpiry = new();
    private readonly Dictionary<ulong, (int Shard, long ExpiresUs)> _movedAway = new();

    public bool TryGet(ulong connectionId, out Session session) => _byId.TryGetValue(connectionId, out session!);

    public bool Contains(ulong connectionId) => _byId.ContainsKey(connectionId);

    /// <summary>An id that belongs to a move (a previous id here, or the id of a session that left): not a misrouted packet.</summary>
    public bool IsMoving(ulong connectionId) => _movedAway.ContainsKey(connectionId) || _previousIdExpiry.ContainsKey(connectionId);

    /// <summary>Each session once, under its current id.</summary>
    public Sessions All => new(_byId);

    public void Add(Session session) => _byId.Add(session.Connection.Id, session);

    /// <summary>A session moving here: listed under its old id (until <paramref name="previousIdExpiresUs"/>) and the new one.</summary>
    public void AddArrival(Session session, ulong newConnectionId, long previousIdExpiresUs)
    {
        var oldId = session.Connection.Id;
        session.PreviousConnectionId = oldId;
        session.PendingConnectionId = newConnectionId;
        _byId[oldId] = session;
        _byId[newConnectionId] = session;
        _previousIdExpiry[oldId] = previousIdExpiresUs;
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
        return open;
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

    public void Clear() => _byId.Clear();

    /// <summary>The sessions of the table once each (skipping previous ids); allocation-free.</summary>
    public readonly struct Sessions(Dictionary<ulong, Session> byId)
    {
        public Enumerator GetEnumerator() => new(byId.GetEnumerator());

        public struct Enumerator(Dictionary<ulong, Session>.Enumerator inner)
        {
            private Dictionary<ulong, Session>.Enumerator _inner = inner;

            public readonly Session Current => _inner.Current.Value;

            public bool MoveNext()
            {
                while (_inner.MoveNext())
                {
                    if (_inner.Current.Key == _inner.Current.Value.Connection.Id)
                    {
                        return true;
                    }
                }
                return false;
            }
        }
    }
}
