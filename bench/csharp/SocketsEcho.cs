// L1: the idiomatic C# peer, a plain System.Net.Sockets echo on Mono, single process.
// SocketAsyncEventArgs receives: one reusable event-args object and buffer per connection, no
// allocation per operation (async/await over Socket adds a Task and a state machine per call,
// and measured 8-12% slower); synchronous completions are looped, not recursed. The echo goes
// back with a plain Socket.Send from the completion: on Mono every SendAsync is queued to the
// IO selector thread (an epoll registration and a thread hop) even when the socket buffer has
// room, and measured 20-40% slower; a blocking Send only waits when the peer stops reading.
// `mono SocketsEcho.exe [port]` prints `listening <addr>`.
using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

public static class SocketsEcho
{
    public static int Main(string[] args)
    {
        int port = args.Length > 0 ? int.Parse(args[0]) : 0;
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(4096);
        var ep = (IPEndPoint)listener.LocalEndPoint;
        Console.WriteLine("listening {0}:{1}", ep.Address, ep.Port);
        Console.Out.Flush();
        var accept = new SocketAsyncEventArgs();
        accept.Completed += (_, e) => { Accepted(listener, e); Accept(listener, e); };
        Accept(listener, accept);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    private static void Accept(Socket listener, SocketAsyncEventArgs e)
    {
        while (true)
        {
            e.AcceptSocket = null;
            if (listener.AcceptAsync(e)) return;
            Accepted(listener, e);
        }
    }

    private static void Accepted(Socket listener, SocketAsyncEventArgs e)
    {
        if (e.SocketError != SocketError.Success) return;
        Socket s = e.AcceptSocket;
        s.NoDelay = true;
        new Connection(s).Receive();
    }

    /// <summary>One connection: its socket, buffer and receive event-args.</summary>
    private sealed class Connection
    {
        private readonly Socket _socket;
        private readonly SocketAsyncEventArgs _io = new SocketAsyncEventArgs();
        private readonly byte[] _buffer = new byte[16384];

        public Connection(Socket socket)
        {
            _socket = socket;
            _io.Completed += (_, e) => Step(e);
        }

        public void Receive()
        {
            _io.SetBuffer(_buffer, 0, _buffer.Length);
            if (!_socket.ReceiveAsync(_io)) Step(_io);
        }

        /// <summary>Echoes what a receive brought and receives again, until a receive goes
        /// pending.</summary>
        private void Step(SocketAsyncEventArgs e)
        {
            do
            {
                if (e.SocketError != SocketError.Success || e.BytesTransferred == 0 || !Echo(e.BytesTransferred))
                {
                    _socket.Close();
                    _io.Dispose();
                    return;
                }
            } while (!_socket.ReceiveAsync(e));
        }

        private bool Echo(int length)
        {
            for (int sent = 0; sent < length;)
            {
                SocketError error;
                int n = _socket.Send(_buffer, sent, length - sent, SocketFlags.None, out error);
                if (error != SocketError.Success || n <= 0) return false;
                sent += n;
            }
            return true;
        }
    }
}
