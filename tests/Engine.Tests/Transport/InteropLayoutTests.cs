using Engine.Transport;
using Xunit;

namespace Engine.Tests.Transport;

// The kernel reads these structs by offset: a wrong size is silent memory corruption, so pin them down.
public sealed class InteropLayoutTests
{
    [Fact]
    public unsafe void StructSizes_MatchLinux64()
    {
        Assert.Equal(16, sizeof(Interop.Sys.IOVector));
        Assert.Equal(56, sizeof(Interop.Sys.MessageHeader));
        Assert.Equal(64, sizeof(Interop.Sys.MultiMessageHeader));
        Assert.Equal(16, sizeof(Interop.Sys.ControlMessageHeader));
        Assert.Equal(16, sizeof(Interop.Sys.SocketAddressIPv4));
        Assert.Equal(28, sizeof(Interop.Sys.SocketAddressIPv6));
        Assert.Equal(8, sizeof(Interop.Sys.SocketFilter));
        Assert.Equal(16, sizeof(Interop.Sys.SocketFilterProgram));
        Assert.Equal(8, sizeof(Interop.Sys.PollFD));
        Assert.Equal(24, Interop.Sys.ControlMessageHeader.SpaceFor(sizeof(ushort)));
        Assert.Equal(18, Interop.Sys.ControlMessageHeader.LengthFor(sizeof(ushort)));
        Assert.Equal(24, Interop.Sys.ControlMessageHeader.SpaceFor(sizeof(uint)));
    }

    [Fact]
    public unsafe void MessageHeader_FieldOffsets()
    {
        Interop.Sys.MessageHeader header = default;
        byte* start = (byte*)&header;
        Assert.Equal(0, (byte*)&header.SocketAddress - start);
        Assert.Equal(8, (byte*)&header.SocketAddressLen - start);
        Assert.Equal(16, (byte*)&header.IOVectors - start);
        Assert.Equal(24, (byte*)&header.IOVectorCount - start);
        Assert.Equal(32, (byte*)&header.ControlBuffer - start);
        Assert.Equal(40, (byte*)&header.ControlBufferLen - start);
        Assert.Equal(48, (byte*)&header.Flags - start);

        Interop.Sys.MultiMessageHeader multi = default;
        Assert.Equal(56, (byte*)&multi.Length - (byte*)&multi);
    }
}
