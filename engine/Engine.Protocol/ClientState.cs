namespace Engine.Protocol;

public enum ClientState : byte
{
    Idle,

    /// <summary>Sending the first hello, waiting for the server's challenge.</summary>
    SendingHello,

    /// <summary>Sending the hello with the cookie, waiting for the welcome.</summary>
    SendingCookie,
    Connected,
    Disconnected,
}
