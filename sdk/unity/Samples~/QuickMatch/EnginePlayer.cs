using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Engine.Client;
using Engine.Protocol.Simulation;
using UnityEngine;

/// <summary>
/// Engine's quick-match sample for Unity: connects with a connect token (or to an --insecure server),
/// quick-matches, sends the input axes every FixedUpdate (set Time.fixedDeltaTime to the room's tick),
/// and draws the predicted local player and the interpolated others. Attach it to an empty GameObject
/// and give it two prefabs.
/// </summary>
public sealed class EnginePlayer : MonoBehaviour
{
    [Tooltip("A connect token from your game's backend (base64). Empty: connect to Insecure Server.")]
    public string connectToken = "";

    [Tooltip("host:port of a server started with --insecure, used when there is no token.")]
    public string insecureServer = "127.0.0.1:7777";

    public GameObject localPlayerPrefab;
    public GameObject otherPlayerPrefab;

    [Tooltip("Degrees per second the mouse's X axis turns the player.")]
    public float turnSpeed = 180f;

    private readonly Dictionary<uint, Transform> _others = new Dictionary<uint, Transform>();
    private readonly HashSet<uint> _seen = new HashSet<uint>();
    private EngineClient _client;
    private Task<RoomResult> _match;
    private Transform _local;
    private float _yawDegrees;

    private void Start()
    {
        _client = new EngineClient();
        _client.Connected += () => _match = _client.QuickMatch();
        _client.Disconnected += reason => Debug.Log($"Engine: disconnected ({reason}, {_client.RejectReason})");
        if (!string.IsNullOrEmpty(connectToken))
        {
            _client.Connect(connectToken);
        }
        else
        {
            var colon = insecureServer.LastIndexOf(':');
            _client.Connect(insecureServer.Substring(0, colon), int.Parse(insecureServer.Substring(colon + 1)));
        }
    }

    private void FixedUpdate()
    {
        if (_client == null || !_client.CanSendInput)
        {
            return;
        }
        _yawDegrees += Input.GetAxis("Mouse X") * turnSpeed * Time.fixedDeltaTime;
        var yaw = (ushort)Mathf.RoundToInt(Mathf.Repeat(_yawDegrees, 360f) / 360f * 65536f);
        var buttons = Input.GetButton("Jump") ? InputButtons.Jump : InputButtons.None;
        _client.SendPlayerInput(Axis("Vertical"), Axis("Horizontal"), yaw, 0, buttons);
    }

    private void Update()
    {
        if (_client == null)
        {
            return;
        }
        _client.Update(); // receive, run timers, send: everything happens here, on the main thread
        if (_match != null && _match.IsCompleted)
        {
            var result = _match.Result;
            _match = null;
            if (result.Succeeded)
            {
                Time.fixedDeltaTime = 1f / _client.CurrentRoom.TickRate;
                Debug.Log($"Engine: in room {_client.CurrentRoom.Name} as player {_client.CurrentRoom.PlayerId}");
            }
            else
            {
                Debug.Log($"Engine: quick match refused ({result.Status})");
            }
        }
        Draw();
    }

    private void Draw()
    {
        if (_client.TryGetLocalPlayerState(out var me))
        {
            if (_local == null)
            {
                _local = Instantiate(localPlayerPrefab).transform;
            }
            Place(_local, me);
        }
        var room = _client.CurrentRoom;
        _seen.Clear();
        foreach (var player in _client.GetRoomPlayers())
        {
            if (room == null || player.PlayerId == room.PlayerId || !_client.TryGetPlayerState(player.PlayerId, out var state))
            {
                continue;
            }
            if (!_others.TryGetValue(player.PlayerId, out var other))
            {
                other = Instantiate(otherPlayerPrefab).transform;
                _others.Add(player.PlayerId, other);
            }
            Place(other, state);
            _seen.Add(player.PlayerId);
        }
        var gone = new List<uint>();
        foreach (var entry in _others)
        {
            if (!_seen.Contains(entry.Key))
            {
                Destroy(entry.Value.gameObject);
                gone.Add(entry.Key);
            }
        }
        foreach (var id in gone)
        {
            _others.Remove(id);
        }
    }

    private void OnDestroy()
    {
        _client?.Dispose(); // tells the server at once
        _client = null;
    }

    /// <summary>Millimetres to metres; the engine's yaw is 1/65536 turn, Y up, like Unity's.</summary>
    private static void Place(Transform target, in PlayerState state)
    {
        target.position = new Vector3(state.PositionX / 1000f, state.PositionY / 1000f, state.PositionZ / 1000f);
        target.rotation = Quaternion.Euler(0f, state.Yaw * (360f / 65536f), 0f);
    }

    private static sbyte Axis(string name) => (sbyte)Mathf.RoundToInt(Mathf.Clamp(Input.GetAxis(name), -1f, 1f) * 127f);
}
