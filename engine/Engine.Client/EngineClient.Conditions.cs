using System.Net.Sockets;
using Engine.Client.Conditions;

namespace Engine.Client;

/// <summary>Network-condition simulation: both directions of the client's traffic through simulated lanes.</summary>
public sealed partial class EngineClient
{
    private SimulatedLanes? _simulated;

    /// <summary>
    /// Latency, jitter, loss, duplication and reordering applied to this client's datagrams, for testing
    /// a game's netcode on a bad network (null, the default: off). Setting it starts a fresh simulation;
    /// datagrams still held by the previous one are dropped.
    /// </summary>
    public NetworkConditions? SimulatedConditions
    {
        get => _simulated?.Conditions;
        set => _simulated = value is null ? null : new SimulatedLanes(value);
    }

    /// <summary>What the simulation did to the datagrams this client sent; zeros while it is off.</summary>
    public SimulatedTraffic SimulatedOutgoing => _simulated?.Outgoing.Traffic ?? default;

    /// <summary>What the simulation did to the datagrams the server sent this client; zeros while it is off.</summary>
    public SimulatedTraffic SimulatedIncoming => _simulated?.Incoming.Traffic ?? default;

    /// <summary>Hands the connection what the simulated incoming lane has delivered by now.</summary>
    private void ReceiveSimulated(long nowUs, ref Dispatcher handler)
    {
        if (_simulated is null)
        {
            return;
        }
        while (_simulated.Incoming.TryTakeDue(nowUs, _receiveBuffer, out var length))
        {
            _connection.Receive(_receiveBuffer.AsSpan(0, length), nowUs, ref handler);
            Report();
        }
    }

    /// <summary>Puts on the wire what the simulated outgoing lane has delivered by now.</summary>
    private void SendSimulated(Socket socket, long nowUs)
    {
        if (_simulated is null)
        {
            return;
        }
        while (_simulated.Outgoing.TryTakeDue(nowUs, _sendBuffer, out var length))
        {
            Transmit(socket, _sendBuffer.AsSpan(0, length));
        }
    }

    private sealed class SimulatedLanes(NetworkConditions conditions)
    {
        public NetworkConditions Conditions { get; } = conditions;

        // Two generators from one seed, so a direction's decisions do not depend on the other's traffic.
        public SimulatedLane Outgoing { get; } = new(conditions, conditions.Seed);
        public SimulatedLane Incoming { get; } = new(conditions, unchecked((conditions.Seed * 31) + 17));
    }
}
