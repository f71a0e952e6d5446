using Engine.Protocol.Simulation;
using Engine.Protocol.Snapshots;
using Engine.Tests.Server;
using Xunit;

namespace Engine.Tests.Netcode;

/// <summary>
/// Input sequences start at 1 in every room (0 means "none" and an input message cannot carry it):
/// the SDK numbers its first input 1, so the server applies the very first input a player sends.
/// </summary>
public class FirstInputTests
{
    [Fact]
    public void The_first_input_after_joining_is_applied_by_the_server()
    {
        using var server = new TestServer(o => o.TimeoutMs = 5000);
        var clients = server.ConnectClients(1, EndToEndDriver.Timeout);
        var client = clients[0];
        Assert.True(EndToEndDriver.Await(clients, client.QuickMatch()).Succeeded);
        EndToEndDriver.WaitUntilPlaying(clients);
        var slot = client.CurrentRoom!.Slot;
        var spawn = ArenaSnapshot.Read(client.LatestFrame!, slot);

        // One tick forward, facing +Z: 6000 mm/s for 1/60 s is 100 mm, and nothing else ever moves this player.
        Assert.True(client.SendPlayerInput(new PlayerInput { Forward = PlayerInput.AxisMax }));
        Assert.True(TestServer.PumpUntil(clients, () => ArenaSnapshot.Read(client.LatestFrame!, slot).PositionZ != spawn.PositionZ, EndToEndDriver.Timeout),
            "the server never applied the first input");

        var moved = ArenaSnapshot.Read(client.LatestFrame!, slot);
        Assert.Equal(spawn.PositionZ + (ArenaSettings.Default.MoveSpeed / ArenaSettings.Default.TickRate), moved.PositionZ);
        Assert.True(client.TryGetPlayerState(client.CurrentRoom.PlayerId, out var predicted));
        Assert.Equal(moved.PositionZ, predicted.PositionZ);
        Assert.Equal(0, client.GetStats().Corrections);
    }
}
