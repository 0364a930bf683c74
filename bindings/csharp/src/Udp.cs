using System;
using System.Net;
using System.Runtime.InteropServices;

namespace HPSocket
{
    /// <summary>
    /// A UDP server (HP-Socket's <c>UdpServer</c>, PUSH model). Each peer address is a connection
    /// with its own ID, made by the peer's first datagram (OnAccept, then OnHandShake); OnAccept's
    /// <c>client</c> points to the peer's sockaddr, which <see cref="PeerAddress"/> reads. One
    /// Send/SendPackets is one datagram of 1 to <see cref="MaxDatagramSize"/> bytes (a bigger one
    /// returns false, <see cref="SocketError.InvalidParam"/>, <see cref="HP.SysLastError"/> EMSGSIZE,
    /// and sends nothing); OnReceive gets one datagram. Peers silent for <see cref="DetectAttempts"/>
    /// rounds of <see cref="DetectInterval"/> ms are closed; Disconnect and Stop send the
    /// close-notify datagram. As every server of this binding it derives from
    /// <see cref="TcpServer"/> (events hand a TcpServer sender); the TCP-only settings
    /// (SocketListenQueue, AcceptSocketCount, SocketBufferSize, KeepAlive*, NoDelay) throw
    /// <see cref="HPSocketException"/> on it.
    /// </summary>
    public partial class UdpServer : TcpServer
    {
        /// <summary>Creates a stopped UDP server.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public UdpServer()
            : base(NativeMethods.Create_HP_UdpServerListener(), l => NativeMethods.Create_HP_UdpServer(l), "UdpServer")
        {
        }

        internal UdpServer(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
            : base(listener, create, what)
        {
        }

        /// <summary>Reads the peer's sockaddr that a UDP server's OnAccept gets as <paramref name="client"/>
        /// (valid during that call): null for anything but IPv4/IPv6.</summary>
        public static IPEndPoint PeerAddress(IntPtr client)
        {
            if (client == IntPtr.Zero) return null;
            ushort family = (ushort)Marshal.ReadInt16(client);
            ushort port = (ushort)(Marshal.ReadByte(client, 2) << 8 | Marshal.ReadByte(client, 3));
            if (family == 2) // AF_INET: family, port, 4-byte address
            {
                byte[] a = new byte[4];
                Marshal.Copy(client + 4, a, 0, 4);
                return new IPEndPoint(new IPAddress(a), port);
            }
            if (family == 10) // AF_INET6: family, port, flowinfo, 16-byte address, scope id
            {
                byte[] a = new byte[16];
                Marshal.Copy(client + 8, a, 0, 16);
                return new IPEndPoint(new IPAddress(a, (uint)Marshal.ReadInt32(client, 24)), port);
            }
            return null;
        }
    }

    /// <summary>
    /// A UDP client (HP-Socket's <c>UdpClient</c>, PUSH model): a socket connected to the server.
    /// Start sends a heartbeat (an empty datagram) at once, which makes the server's connection,
    /// and one every <see cref="DetectInterval"/> ms; a server silent for
    /// <see cref="DetectAttempts"/> rounds closes the client. One Send/SendPackets is one datagram
    /// of 1 to <see cref="MaxDatagramSize"/> bytes (else false, EMSGSIZE, nothing sent); Stop
    /// sends the close-notify datagram. It derives from <see cref="TcpClient"/> as every client
    /// of this binding; the TCP-only settings (SyncConnectTimeout, SocketBufferSize, KeepAlive*,
    /// NoDelay) throw <see cref="HPSocketException"/> on it.
    /// </summary>
    public partial class UdpClient : TcpClient
    {
        /// <summary>Creates a stopped UDP client.</summary>
        /// <exception cref="HPSocketException">the library refused to create it.</exception>
        public UdpClient()
            : base(NativeMethods.Create_HP_UdpClientListener(), l => NativeMethods.Create_HP_UdpClient(l), "UdpClient")
        {
        }

        internal UdpClient(SafeHandle listener, Func<IntPtr, SafeHandle> create, string what)
            : base(listener, create, what)
        {
        }
    }
}
