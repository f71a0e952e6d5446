using System.Text;
using Engine.Protocol.Rooms;

namespace Engine.Client;

/// <summary>Rooms and chat: each operation returns a task the server's answer completes during <see cref="Update"/>.</summary>
public sealed partial class EngineClient
{
    private readonly Dictionary<ushort, TaskCompletionSource<RoomResult>> _pendingResults = new();
    private readonly Dictionary<ushort, TaskCompletionSource<RoomList>> _pendingLists = new();
    private readonly SortedDictionary<byte, RoomPlayer> _roster = new();
    private readonly byte[] _request = new byte[512];
    private ushort _nextRequestId;

    public event Action<RoomPlayer>? PlayerJoined;
    public event Action<RoomPlayer, RoomLeaveReason>? PlayerLeft;
    public event ChatReceivedHandler? ChatReceived;
    public event Action<uint, RoomLeaveReason>? RoomLeft;

    /// <summary>A result with no request behind it (chat refused: rate limit, not in a room, bad text).</summary>
    public event Action<RoomResult>? ChatRefused;

    public RoomInfo? CurrentRoom { get; private set; }

    /// <summary>The room epoch of the last Joined: snapshots that carry another are from a room this client left.</summary>
    private byte _roomEpoch;

    public Task<RoomResult> CreateRoom(string name, int capacity, bool isPrivate = false, string? password = null) =>
        Request((buffer, id) => RoomMessages.CreateRoom(buffer, id, Encoding.UTF8.GetBytes(name), (byte)Math.Clamp(capacity, 0, 255), isPrivate, Encoding.UTF8.GetBytes(password ?? "")));

    public Task<RoomResult> JoinRoom(uint roomId, string? password = null) =>
        Request((buffer, id) => RoomMessages.JoinRoom(buffer, id, roomId, default, Encoding.UTF8.GetBytes(password ?? ""), spectate: false));

    public Task<RoomResult> JoinRoom(string name, string? password = null) =>
        Request((buffer, id) => RoomMessages.JoinRoom(buffer, id, 0, Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(password ?? ""), spectate: false));

    /// <summary>Watches a room: receives its snapshots and chat, sends no inputs.</summary>
    public Task<RoomResult> Spectate(uint roomId, string? password = null) =>
        Request((buffer, id) => RoomMessages.JoinRoom(buffer, id, roomId, default, Encoding.UTF8.GetBytes(password ?? ""), spectate: true));

    /// <summary>Joins the fullest open public room of that capacity (0 = the server's default), or a new one.</summary>
    public Task<RoomResult> QuickMatch(int capacity = 0) =>
        Request((buffer, id) => RoomMessages.QuickMatch(buffer, id, (byte)Math.Clamp(capacity, 0, 255)));

    public Task<RoomResult> LeaveRoom() => Request((buffer, id) => RoomMessages.LeaveRoom(buffer, id));

    /// <summary>Takes back the slot kept after a disconnect, with the token from <see cref="RoomInfo.ResumeToken"/>.</summary>
    public Task<RoomResult> Resume(byte[] resumeToken) => Request((buffer, id) => RoomMessages.Resume(buffer, id, resumeToken));

    public Task<RoomList> ListRooms(int page = 0, int pageSize = 20, bool onlyJoinable = false, string filter = "")
    {
        var id = ++_nextRequestId;
        var completion = new TaskCompletionSource<RoomList>();
        var length = RoomMessages.ListRooms(_request, id, (ushort)Math.Clamp(page, 0, ushort.MaxValue), (byte)Math.Clamp(pageSize, 1, RoomLimits.MaxPageSize), onlyJoinable, Encoding.UTF8.GetBytes(filter));
        if (length == 0 || !_connection.SendReliable(_request.AsSpan(0, length)))
        {
            completion.SetResult(new RoomList(RoomStatus.Malformed, 0, []));
            return completion.Task;
        }
        _pendingLists[id] = completion;
        return completion.Task;
    }

    /// <summary>Sends a chat line to the room (at most 256 bytes of UTF-8); false when not in a room or too long.</summary>
    public bool SendChat(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (CurrentRoom is null || bytes.Length > RoomLimits.MaxChatBytes)
        {
            return false;
        }
        var length = RoomMessages.Chat(_request, bytes);
        return length > 0 && _connection.SendReliable(_request.AsSpan(0, length));
    }

    /// <summary>Everyone playing in the room, this client included, by slot.</summary>
    public IReadOnlyList<RoomPlayer> GetRoomPlayers() => _roster.Values.ToList();

    public RoomPlayer? GetPlayer(uint playerId)
    {
        foreach (var player in _roster.Values)
        {
            if (player.PlayerId == playerId)
            {
                return player;
            }
        }
        return null;
    }

    private Task<RoomResult> Request(Func<byte[], ushort, int> write)
    {
        var id = ++_nextRequestId;
        var completion = new TaskCompletionSource<RoomResult>();
        var length = write(_request, id);
        if (length == 0 || !_connection.SendReliable(_request.AsSpan(0, length)))
        {
            completion.SetResult(new RoomResult(IsConnected ? RoomStatus.Malformed : RoomStatus.NotFound, 0));
            return completion.Task;
        }
        _pendingResults[id] = completion;
        return completion.Task;
    }

    /// <summary>A reliable message from the server: the game's bytes, or room news.</summary>
    private void OnReliable(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return;
        }
        if ((RoomOp)payload[0] == RoomOp.Application)
        {
            ReliableMessageReceived?.Invoke(payload.Slice(1));
            return;
        }
        if ((RoomOp)payload[0] == RoomOp.RoomList)
        {
            OnRoomList(payload);
            return;
        }
        if (!RoomEvent.TryParse(payload, out var e))
        {
            return;
        }
        switch (e.Op)
        {
            case RoomOp.Result:
                if (e.RequestId == 0)
                {
                    ChatRefused?.Invoke(new RoomResult(e.Status, e.RoomId));
                }
                Complete(e.RequestId, new RoomResult(e.Status, e.RoomId));
                break;
            case RoomOp.Joined:
                _roster.Clear();
                _roomEpoch = e.RoomEpoch;
                CurrentRoom = new RoomInfo(e.RoomId, Encoding.UTF8.GetString(e.Name), e.Capacity, e.Slot, e.PlayerId, e.Spectator, e.IsPrivate,
                    e.ResumeToken.ToArray(), e.TickRate, e.SnapshotRate);
                if (!e.Spectator)
                {
                    _roster[e.Slot] = new RoomPlayer(e.PlayerId, e.Slot);
                }
                Complete(e.RequestId, new RoomResult(RoomStatus.Ok, e.RoomId));
                break;
            case RoomOp.PlayerJoined:
                _roster[e.Slot] = new RoomPlayer(e.PlayerId, e.Slot);
                PlayerJoined?.Invoke(new RoomPlayer(e.PlayerId, e.Slot));
                break;
            case RoomOp.PlayerLeft:
                _roster.Remove(e.Slot);
                PlayerLeft?.Invoke(new RoomPlayer(e.PlayerId, e.Slot), e.LeaveReason);
                break;
            case RoomOp.ChatMessage:
                ChatReceived?.Invoke(e.PlayerId, Encoding.UTF8.GetString(e.Text));
                break;
            case RoomOp.Left:
                if (CurrentRoom?.Id == e.RoomId)
                {
                    CurrentRoom = null;
                    _roster.Clear();
                }
                RoomLeft?.Invoke(e.RoomId, e.LeaveReason);
                break;
            case RoomOp.Move:
                _connection.Move(e.ConnectionId);
                break;
            case RoomOp.Redirect:
                OnRedirect(e);
                break;
        }
    }

    private void OnRoomList(ReadOnlySpan<byte> payload)
    {
        var reader = new RoomListReader(payload);
        if (!reader.IsValid || !_pendingLists.Remove(reader.RequestId, out var completion))
        {
            return;
        }
        var rooms = new List<RoomListing>();
        while (reader.TryReadEntry(out var id, out var name, out var players, out var capacity, out var spectators, out var isPrivate, out var hasPassword))
        {
            rooms.Add(new RoomListing(id, Encoding.UTF8.GetString(name), players, capacity, spectators, isPrivate, hasPassword));
        }
        completion.SetResult(new RoomList(reader.IsValid ? RoomStatus.Ok : RoomStatus.Malformed, reader.Total, rooms));
    }

    private void Complete(ushort requestId, RoomResult result)
    {
        if (_pendingResults.Remove(requestId, out var completion))
        {
            completion.SetResult(result);
        }
    }

    /// <summary>Fails every outstanding request when the connection ends.</summary>
    private void FailPendingRequests()
    {
        foreach (var completion in _pendingResults.Values)
        {
            completion.TrySetResult(new RoomResult(RoomStatus.NotFound, 0));
        }
        _pendingResults.Clear();
        foreach (var completion in _pendingLists.Values)
        {
            completion.TrySetResult(new RoomList(RoomStatus.NotFound, 0, []));
        }
        _pendingLists.Clear();
        CurrentRoom = null;
        _roster.Clear();
    }
}
