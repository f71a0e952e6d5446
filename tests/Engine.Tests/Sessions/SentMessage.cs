using Engine.Server.Sessions;

namespace Engine.Tests.Sessions;

/// <summary>One message a service sent: to whom, on which channel, and a copy of its bytes.</summary>
internal sealed record SentMessage(Session Session, bool Reliable, byte[] Bytes);
