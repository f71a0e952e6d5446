using System.Globalization;
using System.Net;
using System.Text;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Engine.Protocol.Time;

namespace Engine.Client;

/// <summary>
/// Rooms on other nodes of a fleet: a join by fleet-wide room id (NODE:ROOM) that the server answers
/// with a Redirect is followed here, inside <see cref="Update"/>: the client leaves the old node, connects
/// to the new one with the token it was given, presents the resume ticket, and the join's task completes
/// with the new node's answer. The game sees the usual room events, and <see cref="NodeChanged"/>.
/// </summary>
public sealed partial class EngineClient
{
    // A redirect received and not yet followed (it is followed after the packet that carried it), then the one in progress.
    private Redirect? _redirect;
    private Redirect? _hop;

    /// <summary>
    /// Raised when the client has moved to another node of the fleet and is connected there, with that node's
    /// id and address; the join that caused it completes when the node answers. <see cref="Connected"/> is
    /// not raised again, and <see cref="Disconnected"/> was not raised for the old node.
    /// </summary>
    public event Action<string, IPEndPoint>? NodeChanged;

    /// <summary>The fleet node this client is on, once a redirect has taken it to one; null before.</summary>
    public string? NodeId { get; private set; }

    /// <summary>
    /// Joins a room by its fleet-wide id, <c>NODE:ROOM</c> as the backend's /v1/rooms lists it. On this node it is
    /// an ordinary join; on another, the client follows the server's redirect by itself (see <see cref="NodeChanged"/>).
    /// The other node checks the password. A malformed id completes at once with <see cref="RoomStatus.Malformed"/>.
    /// </summary>
    public Task<RoomResult> JoinFleetRoom(string fleetRoomId, string? password = null, bool spectate = false)
    {
        ArgumentNullException.ThrowIfNull(fleetRoomId);
        var colon = fleetRoomId.LastIndexOf(':');
        if (colon <= 0 || colon > RoomLimits.MaxNodeIdBytes
            || !uint.TryParse(fleetRoomId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var roomId))
        {
            return Task.FromResult(new RoomResult(RoomStatus.Malformed, 0));
        }
        var nodeId = Encoding.UTF8.GetBytes(fleetRoomId.Substring(0, colon));
        return Request((buffer, id) => RoomMessages.JoinFleetRoom(buffer, id, nodeId, roomId, Encoding.UTF8.GetBytes(password ?? ""), spectate));
    }

    /// <summary>A Redirect from the server: remembered, and followed once the packet that carried it has been read.</summary>
    private void OnRedirect(in RoomEvent e)
    {
        if (_hop is not null || !_pendingResults.ContainsKey(e.RequestId)
            || TokenAddress.Read(e.Address) is not { } address || !ConnectToken.TryRead(e.ConnectToken, out var token))
        {
            return; // not for a join this client is waiting on, or unusable: the request fails when the connection ends
        }
        _redirect = new Redirect(e.RequestId, Encoding.UTF8.GetString(e.NodeId), address, token!, e.Ticket.ToArray());
    }

    /// <summary>Leaves this node and connects to the one the redirect names, without telling the game it disconnected.</summary>
    private void FollowRedirect(long nowUs)
    {
        if (_redirect is not { } redirect)
        {
            return;
        }
        _redirect = null;
        _pendingResults.Remove(redirect.RequestId, out var completion);
        _connection.Disconnect();
        SendDue(nowUs);
        // Whatever else was asked of the old node will not be answered now.
        FailPendingRequests();
        _pendingResults[redirect.RequestId] = completion!;
        if (_simulated is not null)
        {
            _simulated = new SimulatedLanes(_simulated.Conditions);
        }
        _hop = redirect;
        OpenSocket(redirect.Address);
        _connection.Connect(nowUs, redirect.Token);
        _reportedState = _connection.State;
    }

    /// <summary>The connection changed state during a hop: present the ticket once connected, or give up the join.</summary>
    private void ReportHop(Redirect hop)
    {
        _hop = null;
        if (_connection.IsConnected)
        {
            NodeId = hop.NodeId;
            var length = RoomMessages.RedeemTicket(_request, hop.RequestId, hop.Ticket);
            if (!_connection.SendReliable(_request.AsSpan(0, length)))
            {
                Complete(hop.RequestId, new RoomResult(RoomStatus.Malformed, 0));
            }
            NodeChanged?.Invoke(hop.NodeId, hop.Address);
            return;
        }
        Complete(hop.RequestId, new RoomResult(RoomStatus.Unavailable, 0));
    }

    private sealed class Redirect(ushort requestId, string nodeId, IPEndPoint address, ConnectToken token, byte[] ticket)
    {
        public ushort RequestId { get; } = requestId;
        public string NodeId { get; } = nodeId;
        public IPEndPoint Address { get; } = address;
        public ConnectToken Token { get; } = token;
        public byte[] Ticket { get; } = ticket;
    }
}
