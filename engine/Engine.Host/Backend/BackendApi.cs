using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Engine.Fleet.Placement;
using Engine.Fleet.Records;
using Engine.Protocol.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engine.Host.Backend;

/// <summary>
/// The backend's requests over its view of the directory. Every answer that places a player is a
/// <see cref="Ticket"/>: a connect token for the chosen node, and what to do once connected.
/// </summary>
internal sealed class BackendApi(BackendOptions options, FleetView view, Matchmaker matchmaker, ILogger logger)
{
    public const int MaxPageSize = 100;

    public async Task Matchmake(HttpContext context)
    {
        var request = await ReadAsync(context, BackendJson.Default.MatchmakeRequest);
        if (request is null)
        {
            return;
        }
        if (request.PlayerId == 0 || request.Capacity is < 0 or > 255)
        {
            await Error(context, StatusCodes.Status400BadRequest, "playerId must be given (non-zero) and capacity must be 0..255 (0 = the node's default)");
            return;
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var nodes = view.Nodes(now);
        var match = new MatchRequest(request.Capacity, request.Mode ?? "", request.Labels ?? new Dictionary<string, string>());
        var placement = matchmaker.Place(nodes, match, now);
        if (placement is null)
        {
            BackendLog.NoNode(logger, request.Capacity, match.Mode, nodes.Count);
            await Error(context, StatusCodes.Status503ServiceUnavailable, "no open node fits: none registered, all draining or full, or none with that mode and labels");
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, Issue(request.PlayerId, placement.Node, placement.Room?.Id, placement.Capacity), BackendJson.Default.Ticket);
    }

    public async Task Join(HttpContext context)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        if (!NodeIds.TryParseRoomId(id, out var nodeId, out var roomId))
        {
            await Error(context, StatusCodes.Status400BadRequest, $"'{id}' is not a room id (NODE:ROOM, as GET /v1/rooms lists them)");
            return;
        }
        if (await ReadPlayerAsync(context) is not { } playerId)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        switch (matchmaker.Join(view.Nodes(now), nodeId, roomId, now, out var node, out var room))
        {
            case JoinOutcome.NotFound:
                await Error(context, StatusCodes.Status404NotFound, $"no room {id} in the directory");
                return;
            case JoinOutcome.NodeDraining:
                await Error(context, StatusCodes.Status409Conflict, $"room {id} is on a draining node: it takes no new players");
                return;
            case JoinOutcome.Full:
                await Error(context, StatusCodes.Status409Conflict, $"room {id} is full");
                return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, Issue(playerId, node!, room!.Id, room.Capacity), BackendJson.Default.Ticket);
    }

    /// <summary>
    /// A token for one node, by id, for a player whose slot that node keeps (a dropped connection, or after
    /// a move to that node): the client connects and presents its resume token. The node, not the
    /// directory, knows the kept slots, so it alone judges the resume.
    /// </summary>
    public async Task Resume(HttpContext context)
    {
        var nodeId = context.Request.RouteValues["id"] as string ?? "";
        if (await ReadPlayerAsync(context) is not { } playerId)
        {
            return;
        }
        var node = view.Nodes(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).FirstOrDefault(n => n.Id == nodeId);
        if (node is null)
        {
            await Error(context, StatusCodes.Status404NotFound, $"no node {nodeId} in the directory: its kept slots are gone with it");
            return;
        }
        if (!node.IsOpen)
        {
            await Error(context, StatusCodes.Status409Conflict, $"node {nodeId} is draining: it admits no new connections, resumes included");
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, Issue(playerId, node, null, 0, Ticket.ResumeAction), BackendJson.Default.Ticket);
    }

    public Task Rooms(HttpContext context)
    {
        var query = context.Request.Query;
        var page = Number(query["page"], 0, 0, int.MaxValue);
        var pageSize = Number(query["pageSize"], 20, 1, MaxPageSize);
        var capacity = Number(query["capacity"], 0, 0, 255);
        if (page is null || pageSize is null || capacity is null)
        {
            return Error(context, StatusCodes.Status400BadRequest, $"page must be 0 or more, pageSize 1..{MaxPageSize}, capacity 0..255");
        }
        var mode = query["mode"].ToString();
        var name = query["name"].ToString();
        var nodeId = query["node"].ToString();
        var joinable = query["joinable"] == "true";
        var includePrivate = query["includePrivate"] == "true";
        var labels = query.Where(q => q.Key.StartsWith("label.", StringComparison.Ordinal)).Select(q => (Key: q.Key[6..], Value: q.Value.ToString())).ToList();

        var rooms = view.Nodes(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            .Where(n => nodeId.Length == 0 || n.Id == nodeId)
            .Where(n => labels.All(l => n.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .OrderBy(n => n.Id, StringComparer.Ordinal)
            .SelectMany(n => n.Rooms.OrderBy(r => r.Id).Select(r => (Node: n, Room: r)))
            .Where(x => includePrivate || !x.Room.Private)
            .Where(x => mode.Length == 0 || x.Room.Mode == mode)
            .Where(x => capacity == 0 || x.Room.Capacity == capacity)
            .Where(x => !joinable || (x.Node.IsOpen && x.Room.Players < x.Room.Capacity))
            .Where(x => name.Length == 0 || x.Room.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var body = new RoomPage
        {
            Total = rooms.Count,
            Page = page.Value,
            PageSize = pageSize.Value,
            Rooms = rooms.Skip(page.Value * pageSize.Value).Take(pageSize.Value).Select(x => new RoomView
            {
                Id = NodeIds.RoomId(x.Node.Id, x.Room.Id),
                NodeId = x.Node.Id,
                NodeState = x.Node.State,
                Room = x.Room.Id,
                Name = x.Room.Name,
                Capacity = x.Room.Capacity,
                Players = x.Room.Players,
                Spectators = x.Room.Spectators,
                Mode = x.Room.Mode,
                Private = x.Room.Private,
                HasPassword = x.Room.HasPassword,
                Labels = x.Node.Labels,
            }).ToList(),
        };
        return WriteAsync(context, StatusCodes.Status200OK, body, BackendJson.Default.RoomPage);
    }

    /// <summary>Every live node as the backend's view holds it, ordered by id: what an operator or a load test watches per node.</summary>
    public Task Nodes(HttpContext context)
    {
        var nodes = view.Nodes(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            .OrderBy(n => n.Id, StringComparer.Ordinal)
            .Select(n => new NodeView
            {
                Id = n.Id,
                Address = n.Address,
                State = n.State,
                Mode = n.Mode,
                Shards = n.Shards,
                Sessions = n.Sessions,
                Capacity = n.Capacity,
                Load = n.Load,
                Cpu = n.Cpu,
                Overload = n.Overload,
                Rooms = n.Rooms.Count,
                Players = n.Rooms.Sum(r => r.Players),
                Spectators = n.Rooms.Sum(r => r.Spectators),
                Labels = n.Labels,
                UpdatedUnixMs = n.UpdatedUnixMs,
            }).ToList();
        return WriteAsync(context, StatusCodes.Status200OK, new NodeList { Nodes = nodes }, BackendJson.Default.NodeList);
    }

    /// <param name="action">What the client does once connected; by default, join the room when one is named, else quick match.</param>
    private Ticket Issue(ulong playerId, NodeRecord node, uint? roomId, int capacity, string? action = null)
    {
        var token = ConnectToken.Issue(options.TokenKey, playerId, [IPEndPoint.Parse(node.Address)], TimeSpan.FromSeconds(options.TokenLifetimeSeconds), options.ProtocolId);
        return new Ticket
        {
            NodeId = node.Id,
            Address = node.Address,
            Token = token.ToBase64(),
            Action = action ?? (roomId is null ? Ticket.QuickMatchAction : Ticket.JoinAction),
            RoomId = roomId is { } id ? NodeIds.RoomId(node.Id, id) : null,
            Room = roomId,
            Capacity = capacity,
            ExpiresUnixSeconds = token.ExpireUnixSeconds,
        };
    }

    /// <summary>The body {"playerId": N} of a request for one player's ticket; null once a 400 has been answered.</summary>
    private static async Task<ulong?> ReadPlayerAsync(HttpContext context)
    {
        var request = await ReadAsync(context, BackendJson.Default.JoinRequest);
        if (request is null)
        {
            return null;
        }
        if (request.PlayerId == 0)
        {
            await Error(context, StatusCodes.Status400BadRequest, "playerId must be given (non-zero)");
            return null;
        }
        return request.PlayerId;
    }

    private static int? Number(string? text, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;
    }

    /// <summary>The request's JSON body, or null after answering 400 for a missing or malformed one.</summary>
    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            if (await context.Request.ReadFromJsonAsync(type, context.RequestAborted) is { } body)
            {
                return body;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // answered below
        }
        await Error(context, StatusCodes.Status400BadRequest, "the body must be a JSON object with Content-Type: application/json (docs/FLEET.md has examples)");
        return null;
    }

    public static Task Error(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new ErrorBody { Error = message }, BackendJson.Default.ErrorBody);

    private static Task WriteAsync<T>(HttpContext context, int status, T body, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(body, type, contentType: null, context.RequestAborted);
    }
}
