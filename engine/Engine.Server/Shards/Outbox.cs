using Engine.Server.Sessions;
using Engine.Transport;

namespace Engine.Server.Shards;

/// <summary>
/// The shard's way out: sessions with something to send are queued once per loop, and a flush
/// writes their due packets into the send batch, handing it to the kernel whenever it fills and
/// at the end. Replies without a session (challenges, rejects, welcomes) go straight into the batch.
/// </summary>
internal sealed class Outbox(BatchSocket socket, SendBatch batch, ShardCounters counters) : IDisposable
{
    private readonly List<Session> _queued = new();

    /// <summary>Queues the session for this loop's flush if its connection has anything due.</summary>
    public void Queue(Session session, long nowUs)
    {
        if (!session.QueuedForFlush && session.Connection.HasOutput(nowUs))
        {
            session.QueuedForFlush = true;
            _queued.Add(session);
        }
    }

    /// <summary>Writes every queued session's packets into the send batch and hands it to the kernel.</summary>
    public void Flush(long nowUs)
    {
        foreach (var session in _queued)
        {
            session.QueuedForFlush = false;
            Flush(session, nowUs);
        }
        _queued.Clear();
        Send();
    }

    /// <summary>Moves one session's due packets into the send batch.</summary>
    public void Flush(Session session, long nowUs)
    {
        while (true)
        {
            var length = session.Connection.PollSend(NextDatagram(), nowUs);
            if (length == 0)
            {
                return;
            }
            Commit(session.Address, length);
        }
    }

    /// <summary>Room for the next datagram (the batch is sent first when full); <see cref="Commit"/> sends it with the batch.</summary>
    public Span<byte> NextDatagram()
    {
        if (batch.IsFull)
        {
            Send();
        }
        return batch.NextBuffer();
    }

    public void Commit(in PeerAddress destination, int length)
    {
        batch.Commit(destination, length);
        counters.BytesOut += length;
    }

    private void Send()
    {
        if (batch.Count > 0)
        {
            counters.DatagramsOut += socket.Send(batch);
        }
    }

    public void Dispose() => batch.Dispose();
}
