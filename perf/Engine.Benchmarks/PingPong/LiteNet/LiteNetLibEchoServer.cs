using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using LiteNetLib;

namespace Engine.Benchmarks.PingPong.LiteNet;

/// <summary>
/// The hidden litenetlib-server verb: a LiteNetLib 2.1.5 echo server that sends every
/// unreliable message back to its peer. Reads "stats" lines on stdin and answers
/// "allocated=N" (GC.GetTotalAllocatedBytes(precise: true)); exits on SIGTERM or stdin EOF.
///
/// Hostings: "threaded" is LiteNetLib's usual server (its receive thread, here with its
/// native-socket receive path, events unsynced so the echo happens on the receive thread,
/// and TriggerUpdate after each echo so the logic thread flushes now rather than at its
/// 15 ms update period); "threaded-managed" the same with .NET sockets; "manual" one
/// thread calling PollEvents/ManualUpdate after waiting for the socket to be readable.
/// </summary>
internal sealed class LiteNetLibEchoServer : INetEventListener
{
    public const string ConnectionKey = "engine-pingpong";

    private readonly PollableNetManager _manager;
    private readonly bool _threaded;
    private string _mode = "";

    private LiteNetLibEchoServer(bool threaded, bool nativeSockets)
    {
        _threaded = threaded;
        _manager = new PollableNetManager(this)
        {
            AutoRecycle = true,
            IPv6Enabled = false,
            UnsyncedEvents = threaded,
            UseNativeSockets = nativeSockets,
            DisconnectTimeout = 15_000,
        };
    }

    public static int Run(string[] args)
    {
        int port = 0;
        string mode = "threaded";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--mode": mode = args[i + 1]; break;
                default: throw new UsageException($"litenetlib-server: unknown option {args[i]}");
            }
        }
        if (mode is not ("threaded" or "threaded-managed" or "manual"))
            throw new UsageException($"litenetlib-server: unknown mode {mode}");
        var server = new LiteNetLibEchoServer(threaded: mode != "manual", nativeSockets: mode == "threaded");
        server._mode = mode;
        return server.Serve(port);
    }

    private int Serve(int port)
    {
        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            stop.Set();
        });
        bool started = _threaded
            ? _manager.Start(IPAddress.Loopback, IPAddress.IPv6Loopback, port)
            : _manager.StartInManualMode(IPAddress.Loopback, IPAddress.IPv6Loopback, port);
        if (!started)
        {
            Console.Error.WriteLine($"litenetlib-server: could not bind 127.0.0.1:{port}");
            return 1;
        }

        Thread? loop = null;
        if (!_threaded)
        {
            loop = new Thread(() => ManualLoop(stop)) { Name = "lnl-manual", IsBackground = true };
            loop.Start();
        }
        var stdin = new Thread(() => ReadCommands(stop)) { Name = "lnl-stdin", IsBackground = true };
        stdin.Start();

        Console.WriteLine($"litenetlib-server listening on 127.0.0.1:{_manager.LocalPort} mode={_mode} gc={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        Console.Out.Flush();
        stop.Wait();
        loop?.Join(TimeSpan.FromSeconds(2));
        _manager.Stop(sendDisconnectMessages: false);
        return 0;
    }

    private static void ReadCommands(ManualResetEventSlim stop)
    {
        while (Console.In.ReadLine() is { } line)
        {
            if (line == "stats")
            {
                Console.WriteLine($"allocated={GC.GetTotalAllocatedBytes(precise: true)} gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}");
                Console.Out.Flush();
            }
        }
        stop.Set(); // the parent went away
    }

    private void ManualLoop(ManualResetEventSlim stop)
    {
        long last = Stopwatch.GetTimestamp();
        while (!stop.IsSet)
        {
            _manager.WaitReadable(1000);
            _manager.PollEvents();
            long now = Stopwatch.GetTimestamp();
            _manager.ManualUpdate((float)Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            last = now;
        }
    }

    public void OnNetworkReceive(NetPeer peer, NetPacketReader reader, byte channelNumber, DeliveryMethod deliveryMethod)
    {
        peer.Send(reader.GetRemainingBytesSpan(), channelNumber, DeliveryMethod.Unreliable);
        if (_threaded)
            _manager.TriggerUpdate();
    }

    public void OnConnectionRequest(ConnectionRequest request) => request.AcceptIfKey(ConnectionKey);

    public void OnPeerConnected(NetPeer peer)
    {
    }

    public void OnPeerDisconnected(NetPeer peer, DisconnectInfo disconnectInfo)
    {
    }

    public void OnNetworkError(IPEndPoint endPoint, SocketError socketError)
    {
    }

    public void OnNetworkReceiveUnconnected(IPEndPoint remoteEndPoint, NetPacketReader reader, UnconnectedMessageType messageType)
    {
    }

    public void OnNetworkLatencyUpdate(NetPeer peer, int latency)
    {
    }

    public void OnMessageDelivered(NetPeer peer, object userData)
    {
    }

    public void OnNtpResponse(LiteNetLib.Utils.NtpPacket packet)
    {
    }

    public void OnPeerAddressChanged(NetPeer peer, IPEndPoint previousAddress)
    {
    }
}
