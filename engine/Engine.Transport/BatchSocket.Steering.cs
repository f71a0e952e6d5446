namespace Engine.Transport;

public sealed unsafe partial class BatchSocket
{
    /// <summary>
    /// Attaches the steering program to this socket's reuseport group (once, from any member; it applies to the
    /// whole group). Session packets then go to socket index <c>payload[1]</c>, which is the shard index only if
    /// the shard sockets were opened in shard order 0..N-1 and all stay open. Other datagrams, and ids naming a
    /// shard &gt;= <paramref name="shardCount"/>, are spread by the kernel's hash.
    /// </summary>
    public void AttachSteeringProgram(int shardCount)
    {
        Interop.Sys.SocketFilter[] instructions = SteeringProgram.Build(shardCount);
        fixed (Interop.Sys.SocketFilter* filter = instructions)
        {
            Interop.Sys.SocketFilterProgram program = default;
            program.Length = (ushort)instructions.Length;
            program.Filter = filter;
            if (Interop.Sys.SetSockOpt(_handle, Interop.Sys.SocketOptionLevel.Socket, Interop.Sys.SocketOptionName.AttachReusePortCbpf, &program, (uint)sizeof(Interop.Sys.SocketFilterProgram)) != 0)
            {
                ThrowHelper.ThrowTransportException(
                    "cannot attach the steering program to " + LocalEndPoint + " (the socket needs ReusePort)",
                    Interop.GetLastError());
            }
        }
    }
}
