using System.Net;
using Engine.Protocol.Rooms;
using Engine.Protocol.Security;
using Xunit;

namespace Engine.Tests.Protocol;

/// <summary>The messages of a move to another node, written by <see cref="RoomMessages"/> and read back by the parsers both ends use.</summary>
public class FleetMessageTests
{
    private static byte[] Filled(int length, byte first) => [.. Enumerable.Range(0, length).Select(i => (byte)(first + i))];

    [Fact]
    public void JoinFleetRoom_round_trips_and_is_laid_out_as_documented()
    {
        var buffer = new byte[512];
        var length = RoomMessages.JoinFleetRoom(buffer, 0x0102, "node-b"u8, 7, "pw"u8, spectate: true);
        // op, request id, node id string, room id, password string, flags
        Assert.Equal("08" + "0201" + "06" + Convert.ToHexString("node-b"u8) + "07000000" + "02" + Convert.ToHexString("pw"u8) + "01",
            Convert.ToHexString(buffer, 0, length));
        Assert.True(RoomRequest.TryParse(buffer.AsSpan(0, length), out var request));
        Assert.Equal((RoomOp.JoinFleetRoom, (ushort)0x0102, 7u, true), (request.Op, request.RequestId, request.RoomId, request.Spectate));
        Assert.Equal("node-b"u8.ToArray(), request.NodeId.ToArray());
        Assert.Equal("pw"u8.ToArray(), request.Password.ToArray());
        for (var cut = 0; cut < length; cut++)
        {
            Assert.False(RoomRequest.TryParse(buffer.AsSpan(0, cut), out _), $"{cut} of {length} bytes parsed");
        }
    }

    [Fact]
    public void A_node_id_longer_than_64_bytes_does_not_parse()
    {
        var buffer = new byte[512];
        Assert.True(RoomRequest.TryParse(buffer.AsSpan(0, RoomMessages.JoinFleetRoom(buffer, 1, Filled(64, 0x41), 7, default, false)), out _));
        Assert.False(RoomRequest.TryParse(buffer.AsSpan(0, RoomMessages.JoinFleetRoom(buffer, 1, Filled(65, 0x41), 7, default, false)), out _));
    }

    [Fact]
    public void RedeemTicket_carries_the_ticket_as_it_is()
    {
        var buffer = new byte[512];
        var ticket = Filled(ResumeTicket.Size, 3);
        var length = RoomMessages.RedeemTicket(buffer, 9, ticket);
        Assert.Equal(1 + 2 + ResumeTicket.Size, length);
        Assert.True(RoomRequest.TryParse(buffer.AsSpan(0, length), out var request));
        Assert.Equal((RoomOp.RedeemTicket, (ushort)9), (request.Op, request.RequestId));
        Assert.Equal(ticket, request.Ticket.ToArray());
        Assert.False(RoomRequest.TryParse(buffer.AsSpan(0, length - 1), out _));
        buffer[length] = 0;
        Assert.False(RoomRequest.TryParse(buffer.AsSpan(0, length + 1), out _));
    }

    [Fact]
    public void Redirect_round_trips_and_fits_one_sealed_reliable_unit()
    {
        var address = new byte[SecurityConstants.AddressSize];
        TokenAddress.Write(new IPEndPoint(IPAddress.Parse("10.0.0.6"), 7777), address);
        var token = ConnectToken.Issue(new byte[SecurityConstants.KeySize], 42, [new IPEndPoint(IPAddress.Parse("10.0.0.6"), 7777)], TimeSpan.FromSeconds(15)).ToBytes();
        var ticket = Filled(ResumeTicket.Size, 100);
        var buffer = new byte[1024];
        var length = RoomMessages.Redirect(buffer, new RedirectTarget
        {
            RequestId = 5, NodeId = "node-b"u8, RoomId = 12, Address = address, ConnectToken = token, Ticket = ticket,
        });
        Assert.Equal(1 + 2 + 1 + 6 + 4 + SecurityConstants.AddressSize + ConnectToken.Size + ResumeTicket.Size, length);
        Assert.True(length <= 1142, "a Redirect must fit one sealed reliable unit at the default payload");
        Assert.True(RoomEvent.TryParse(buffer.AsSpan(0, length), out var e));
        Assert.Equal((RoomOp.Redirect, (ushort)5, 12u), (e.Op, e.RequestId, e.RoomId));
        Assert.Equal("node-b"u8.ToArray(), e.NodeId.ToArray());
        Assert.Equal(address, e.Address.ToArray());
        Assert.Equal(token, e.ConnectToken.ToArray());
        Assert.Equal(ticket, e.Ticket.ToArray());
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.6"), 7777), TokenAddress.Read(e.Address));
        Assert.True(ConnectToken.TryRead(e.ConnectToken, out var read));
        Assert.Equal(42UL, read!.PlayerId);
        for (var cut = 0; cut < length; cut++)
        {
            Assert.False(RoomEvent.TryParse(buffer.AsSpan(0, cut), out _), $"{cut} of {length} bytes parsed");
        }
    }
}
