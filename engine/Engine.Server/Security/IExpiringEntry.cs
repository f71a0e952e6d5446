namespace Engine.Server.Security;

/// <summary>An entry of an <see cref="ExpiringTagTable{TEntry}"/>: kept until its token or ticket expires.</summary>
internal interface IExpiringEntry
{
    long ExpireUnix { get; }
}
