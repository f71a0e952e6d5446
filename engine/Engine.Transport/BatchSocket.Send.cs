namespace Engine.Transport;

public sealed unsafe partial class BatchSocket
{
    // A socket that stays full is waited on once per Send for at most this long; then the rest is dropped.
    private const int SendWaitMilliseconds = 1;

    // Bounds the EINTR retries so that a signal storm cannot hold the shard thread.
    private const int MaxInterruptedRetries = 8;

    /// <summary>
    /// Hands every queued datagram of <paramref name="batch"/> to the kernel with sendmmsg (looping on partial
    /// sends, coalescing runs with GSO when <see cref="GsoEnabled"/>), then clears the batch. Returns the number of
    /// datagrams the kernel accepted. A datagram the kernel refuses is skipped and counted in
    /// <see cref="SocketCounters.SendErrors"/>; when the socket buffer stays full after one wait of up to 1 ms, the
    /// rest is dropped and counted in <see cref="SocketCounters.SendDrops"/>. Never throws on a socket error.
    /// </summary>
    public int Send(SendBatch batch)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        Interop.Sys.MultiMessageHeader* headers = batch.Headers;
        int messages = batch.BuildMessages(0, _gsoEnabled);
        int next = 0;
        int datagramsSent = 0;
        long bytesSent = 0;
        bool waited = false;
        int retries = 0;
        while (next < messages)
        {
            int sent = Interop.Sys.SendMultipleMessages(_handle, headers + next, (uint)(messages - next), Interop.Sys.MessageFlags.DontWait);
            _counters.SendCalls++;
            if (sent > 0)
            {
                for (int m = next; m < next + sent; m++)
                {
                    int segments = batch.SegmentsOf(m);
                    datagramsSent += segments;
                    bytesSent += headers[m].Length;
                    if (segments > 1)
                    {
                        _counters.GsoMessages++;
                        _counters.GsoSegmentsCoalesced += segments;
                    }
                }

                next += sent;
                continue;
            }

            // sendmmsg reports an error only for the first message it tried (later ones end the batch early).
            Interop.Error error = sent < 0 ? Interop.GetLastError() : Interop.Error.EAGAIN;
            switch (SocketErrors.Classify(error))
            {
                case SocketErrorAction.Retry when retries++ < MaxInterruptedRetries:
                    break;
                case SocketErrorAction.WouldBlock when !waited:
                    waited = true;
                    PollFor(Interop.Sys.PollEvents.Out, SendWaitMilliseconds);
                    break;
                case SocketErrorAction.Skip when batch.SegmentsOf(next) > 1 && error is Interop.Error.EIO or Interop.Error.EINVAL:
                    // EIO: the device cannot segment (no checksum offload), so stop using GSO on this socket.
                    // EINVAL: a segment exceeds the route's MTU. Either way send the rest as plain datagrams.
                    if (error == Interop.Error.EIO)
                    {
                        _gsoEnabled = false;
                    }

                    messages = batch.BuildMessages(batch.FirstDatagramOf(next), gso: false);
                    next = 0;
                    break;
                case SocketErrorAction.Skip:
                    _counters.SendErrors += batch.SegmentsOf(next);
                    next++;
                    break;
                default:
                    // Still full after the wait, a signal storm, or a dead socket: drop what is left.
                    _counters.SendDrops += batch.DatagramsFrom(batch.FirstDatagramOf(next));
                    next = messages;
                    break;
            }
        }

        _counters.DatagramsSent += datagramsSent;
        _counters.BytesSent += bytesSent;
        batch.Clear();
        return datagramsSent;
    }
}
