using System.Diagnostics;
using System.Net;

namespace Engine.Benchmarks.PingPong.Batch;

/// <summary>
/// The engine clients' socket loop without a protocol: each client's ping is a bare UDP
/// datagram (the ping payload itself) and the reply is routed by the client index in it.
/// Used against the C echo server, the floor.
/// </summary>
internal sealed class RawUdpClients(IPEndPoint server, int clients, int payloadSize, int sockets) : IPingPongClients
{
    private readonly ClientSocketSet _sockets = new(server, sockets);

    public string Description => $"{clients} raw UDP clients over {_sockets.Count} BatchSockets (recvmmsg/sendmmsg), one thread, no protocol";

    public int SourceAddresses => _sockets.Count;

    public int Disconnected => 0;

    public void Connect(TimeSpan timeout)
    {
        // Nothing to connect; the first pings double as the check that the server answers.
    }

    public void Run(RoundTripRecorder recorder, ManualResetEventSlim stop)
    {
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < clients; i++)
            Ping(recorder, i, now);
        _sockets.Flush();

        long lastScan = now;
        while (!stop.IsSet)
        {
            bool any = false;
            now = Stopwatch.GetTimestamp();
            int ready = _sockets.WaitReadable(0);
            for (int r = 0; r < ready; r++)
            {
                int s = _sockets.ReadySocket(r);
                int n;
                while ((n = _sockets.Receive(s)) > 0)
                {
                    any = true;
                    var batch = _sockets.Received(s);
                    for (int i = 0; i < n; i++)
                    {
                        int client = recorder.Complete(batch.Payload(i), now);
                        if (client >= 0)
                            Ping(recorder, client, now);
                    }
                    if (n < ClientSocketSet.BatchCapacity)
                        break;
                }
            }
            if (now - lastScan > Stopwatch.Frequency / 10)
            {
                lastScan = now;
                for (int i = 0; i < clients; i++)
                {
                    if (recorder.TimedOut(i, now))
                        Ping(recorder, i, now);
                }
            }
            _sockets.Flush();
            _sockets.Idle(any);
        }
    }

    private void Ping(RoundTripRecorder recorder, int client, long now)
    {
        int socket = _sockets.SocketOf(client);
        Span<byte> buffer = _sockets.NextSendBuffer(socket)[..payloadSize];
        recorder.BeginPing(client, buffer, now);
        _sockets.CommitSend(socket, payloadSize);
    }

    public void Dispose() => _sockets.Dispose();
}
