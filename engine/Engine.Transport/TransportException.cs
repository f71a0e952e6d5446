namespace Engine.Transport;

/// <summary>A socket could not be opened or configured. Only thrown on cold paths (open, attach).</summary>
public sealed class TransportException : Exception
{
    public TransportException()
    {
    }

    public TransportException(string message)
        : base(message)
    {
    }

    public TransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
