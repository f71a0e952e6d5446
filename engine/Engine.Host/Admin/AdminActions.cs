using System.Globalization;
using System.Net;
using Engine.Host.Lifecycle;
using Engine.Server;
using Microsoft.AspNetCore.Http;

namespace Engine.Host.Admin;

/// <summary>
/// What the admin endpoint changes, not just reads. The endpoint has no authentication (it listens
/// on loopback by default, and a Kubernetes probe needs it on the pod's address), so an action is
/// taken only for a peer on the node's own loopback: scraping /metrics from the network is harmless,
/// draining the node is not.
/// </summary>
internal static class AdminActions
{
    /// <summary>POST /admin/drain: 202 and the drain's state (begun now or already under way), 409 once stopping, 403 from another host.</summary>
    public static Task Drain(HttpContext context, NodeLifecycle lifecycle, GameServer server)
    {
        if (!IsLoopback(context.Connection.RemoteIpAddress))
        {
            return Reply(context, StatusCodes.Status403Forbidden, "admin actions are taken only from the node's own loopback (127.0.0.1 or ::1)");
        }
        var begun = lifecycle.BeginDrain("POST /admin/drain");
        if (!begun && !lifecycle.IsDraining)
        {
            return Reply(context, StatusCodes.Status409Conflict, "shutting down");
        }
        return Reply(context, StatusCodes.Status202Accepted, string.Create(CultureInfo.InvariantCulture,
            $"{(begun ? "draining" : "draining already")}: {server.PlayersInRooms} player(s) in rooms; stopping when they have left or in {Math.Ceiling(lifecycle.DrainTimeLeft.TotalSeconds)} s"));
    }

    internal static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static Task Reply(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n");
    }
}
