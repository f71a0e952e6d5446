using System.Collections.Generic;
using System.Threading.Tasks;
using Engine.Client;
using Engine.Protocol.Simulation;
using Godot;

/// <summary>
/// Engine's quick-match sample for Godot 4 (.NET): connects with a connect token (or to an --insecure
/// server), quick-matches, sends the input actions every physics tick (the project runs physics at the
/// room's tick rate), and draws the predicted local player and the interpolated others.
/// </summary>
public partial class EnginePlayer : Node3D
{
    [Export] public string ConnectToken { get; set; } = "";
    [Export] public string InsecureServer { get; set; } = "127.0.0.1:7777";
    [Export] public PackedScene LocalPlayerScene { get; set; }
    [Export] public PackedScene OtherPlayerScene { get; set; }
    [Export] public float TurnSpeedDegrees { get; set; } = 180f;

    private readonly Dictionary<uint, Node3D> _others = new();
    private readonly HashSet<uint> _seen = new();
    private EngineClient _client;
    private Task<RoomResult> _match;
    private Node3D _local;
    private float _yawDegrees;

    public override void _Ready()
    {
        _client = new EngineClient();
        _client.Connected += () => _match = _client.QuickMatch();
        _client.Disconnected += reason => GD.Print($"Engine: disconnected ({reason}, {_client.RejectReason})");
        if (ConnectToken.Length > 0)
        {
            _client.Connect(ConnectToken);
        }
        else
        {
            var colon = InsecureServer.LastIndexOf(':');
            _client.Connect(InsecureServer[..colon], int.Parse(InsecureServer[(colon + 1)..]));
        }
    }

    public override void _PhysicsProcess(double delta)
    {
        if (_client is null || !_client.CanSendInput)
        {
            return;
        }
        _yawDegrees += Input.GetAxis("turn_left", "turn_right") * TurnSpeedDegrees * (float)delta;
        var yaw = (ushort)Mathf.RoundToInt(Mathf.PosMod(_yawDegrees, 360f) / 360f * 65536f);
        var move = Input.GetVector("move_left", "move_right", "move_back", "move_forward");
        var buttons = Input.IsActionPressed("jump") ? InputButtons.Jump : InputButtons.None;
        _client.SendPlayerInput(ToAxis(move.Y), ToAxis(move.X), yaw, 0, buttons);
    }

    public override void _Process(double delta)
    {
        if (_client is null)
        {
            return;
        }
        _client.Update(); // receive, run timers, send: everything happens here, on the main thread
        if (_match is { IsCompleted: true })
        {
            var result = _match.Result;
            _match = null;
            if (result.Succeeded)
            {
                Godot.Engine.PhysicsTicksPerSecond = _client.CurrentRoom!.TickRate;
                GD.Print($"Engine: in room {_client.CurrentRoom.Name} as player {_client.CurrentRoom.PlayerId}");
            }
            else
            {
                GD.Print($"Engine: quick match refused ({result.Status})");
            }
        }
        Draw();
    }

    private void Draw()
    {
        if (_client.TryGetLocalPlayerState(out var me))
        {
            _local ??= Spawn(LocalPlayerScene);
            Place(_local, me);
        }
        var room = _client.CurrentRoom;
        _seen.Clear();
        foreach (var player in _client.GetRoomPlayers())
        {
            if (room is null || player.PlayerId == room.PlayerId || !_client.TryGetPlayerState(player.PlayerId, out var state))
            {
                continue;
            }
            if (!_others.TryGetValue(player.PlayerId, out var other))
            {
                other = Spawn(OtherPlayerScene);
                _others.Add(player.PlayerId, other);
            }
            Place(other, state);
            _seen.Add(player.PlayerId);
        }
        foreach (var id in new List<uint>(_others.Keys))
        {
            if (!_seen.Contains(id))
            {
                _others[id].QueueFree();
                _others.Remove(id);
            }
        }
    }

    public override void _ExitTree()
    {
        _client?.Dispose(); // tells the server at once
        _client = null;
    }

    private Node3D Spawn(PackedScene scene)
    {
        var node = scene.Instantiate<Node3D>();
        AddChild(node);
        return node;
    }

    /// <summary>Millimetres to metres; the engine's yaw is 1/65536 turn; Y is up in both.</summary>
    private static void Place(Node3D target, in PlayerState state)
    {
        target.Position = new Vector3(state.PositionX / 1000f, state.PositionY / 1000f, state.PositionZ / 1000f);
        target.Rotation = new Vector3(0f, Mathf.DegToRad(state.Yaw * (360f / 65536f)), 0f);
    }

    private static sbyte ToAxis(float value) => (sbyte)Mathf.RoundToInt(Mathf.Clamp(value, -1f, 1f) * 127f);
}
