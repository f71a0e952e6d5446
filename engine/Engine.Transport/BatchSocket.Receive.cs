namespace Engine.Transport;

public sealed unsafe partial class BatchSocket
{
    /// <summary>
    /// One recvmmsg(MSG_DONTWAIT) into <paramref name="batch"/>. Returns the datagrams delivered (also
    /// <see cref="ReceiveBatch.Count"/>), 0 when nothing is waiting. Errors are counted, never thrown;
    /// datagrams longer than the batch's slots are dropped and counted as truncated.
    /// </summary>
    public int Receive(ReceiveBatch batch)
    {
        batch.PrepareForReceive();
        int received = Interop.Sys.ReceiveMultipleMessages(_handle, batch.Headers, (uint)batch.Capacity, Interop.Sys.MessageFlags.DontWait, null);
        _counters.ReceiveCalls++;
        if (received > 0)
        {
            batch.Complete(received, ref _counters);
            return batch.Count;
        }

        if (received < 0)
        {
            OnReceiveError(Interop.GetLastError());
        }

        return 0;
    }

    private void OnReceiveError(Interop.Error error)
    {
        SocketErrorAction action = SocketErrors.Classify(error);
        if (action is not (SocketErrorAction.WouldBlock or SocketErrorAction.Retry))
        {
            _counters.ReceiveErrors++;
        }
    }
}
