using System;
using System.Collections.Generic;

namespace HPSocket
{
    /// <summary>A WebSocket opcode (RFC 6455); other values (3-7, 0xB-0xF) may be cast.</summary>
    public enum WSOpCode : byte
    {
        /// <summary>A continuation frame of a fragmented message.</summary>
        Continuation = 0x0,
        /// <summary>A text message (UTF-8).</summary>
        Text = 0x1,
        /// <summary>A binary message.</summary>
        Binary = 0x2,
        /// <summary>A close frame: a 2-byte code (big-endian) and a UTF-8 reason.</summary>
        Close = 0x8,
        /// <summary>A ping.</summary>
        Ping = 0x9,
        /// <summary>A pong.</summary>
        Pong = 0xA,
    }

    /// <summary>The WebSocket frame a connection reads now or read last (<c>GetWSMessageState</c>).</summary>
    public struct WSMessageState
    {
        /// <summary>FIN: the last frame of its message.</summary>
        public bool Final;
        /// <summary>RSV1-3 as 3 bits (RSV1 = 4).</summary>
        public byte Reserved;
        /// <summary>The opcode.</summary>
        public WSOpCode OpCode;
        /// <summary>The 4-byte mask key, or null when the frame is unmasked.</summary>
        public byte[] Mask;
        /// <summary>The payload length.</summary>
        public ulong BodyLength;
        /// <summary>Payload bytes still to come.</summary>
        public ulong BodyRemain;
    }

    /// <summary>WebSocket mode (extension): a whole text or binary message (fragments
    /// reassembled), a ping's payload (the pong was sent), a pong's, or the peer's close (the
    /// 2-byte code and the reason; the close was answered and the connection closes). A copy,
    /// never null. <see cref="HandleResult.Error"/> closes the connection.</summary>
    public delegate HandleResult WSMessageEventHandler<TSender>(TSender sender, IntPtr connId, WSOpCode opCode, byte[] data);
    /// <summary>Frame API: a frame begins (FIN, RSV bits, opcode, mask key or null, payload length).</summary>
    public delegate HandleResult WSMessageHeaderEventHandler<TSender>(TSender sender, IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, ulong bodyLength);
    /// <summary>Frame API: a piece of the frame's payload, unmasked (a copy).</summary>
    public delegate HandleResult WSMessageBodyEventHandler<TSender>(TSender sender, IntPtr connId, byte[] data);
    /// <summary>Frame API: the frame is complete.</summary>
    public delegate HandleResult WSMessageCompleteEventHandler<TSender>(TSender sender, IntPtr connId);

    /// <summary>What the WebSocket trampolines call on an HTTP component.</summary>
    internal interface IWSComponent
    {
        HandleResult FireWSMessageHeader(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, ulong bodyLength);
        HandleResult FireWSMessageBody(IntPtr connId, byte[] data);
        HandleResult FireWSMessageComplete(IntPtr connId);
        HandleResult FireWSMessage(IntPtr connId, WSOpCode opCode, byte[] data);
    }

    /// <summary>The WebSocket trampolines (frame API and the mode's OnWSMessage): static
    /// delegates shared by the three HTTP families; every exception is caught and becomes
    /// HR_ERROR (the connection closes).</summary>
    internal static unsafe class WSCallbacks
    {
        internal const int BitWSMessageHeader = 1 << 27;
        internal const int BitWSMessageBody = 1 << 28;
        internal const int BitWSMessageComplete = 1 << 29;
        internal const int BitWSMessage = 1 << 30;
        internal static readonly NativeMethods.HP_FN_Http_OnWSMessageHeader s_header = HeaderCb;
        internal static readonly NativeMethods.HP_FN_Http_OnWSMessageBody s_body = BodyCb;
        internal static readonly NativeMethods.HP_FN_Http_OnWSMessageComplete s_complete = CompleteCb;
        internal static readonly NativeMethods.HPX_FN_Http_OnWSMessage s_message = MessageCb;

        private static int Run(IntPtr sender, string name, Func<IWSComponent, HandleResult> f)
        {
            Component c = null;
            try
            {
                c = Component.FromSender<Component>(sender);
                IWSComponent w = c as IWSComponent;
                if (w == null) return NativeMethods.HR_OK;
                Component.Enter(c);
                try { return (int)f(w); }
                finally { Component.Leave(c); }
            }
            catch (Exception e) { Component.Report(c, name, e); return NativeMethods.HR_ERROR; }
        }

        internal static byte[] Mask(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            return Component.Copy(p, 4);
        }

        private static int HeaderCb(IntPtr sender, IntPtr connId, int final, byte reserved, byte opCode, IntPtr mask, ulong bodyLength)
        {
            return Run(sender, "OnWSMessageHeader", w => w.FireWSMessageHeader(connId, final != 0, reserved, (WSOpCode)opCode, Mask(mask), bodyLength));
        }

        private static int BodyCb(IntPtr sender, IntPtr connId, IntPtr data, int length)
        {
            return Run(sender, "OnWSMessageBody", w => w.FireWSMessageBody(connId, Component.Copy(data, length)));
        }

        private static int CompleteCb(IntPtr sender, IntPtr connId)
        {
            return Run(sender, "OnWSMessageComplete", w => w.FireWSMessageComplete(connId));
        }

        private static int MessageCb(IntPtr sender, IntPtr connId, byte opCode, IntPtr data, int length)
        {
            return Run(sender, "OnWSMessage", w => w.FireWSMessage(connId, (WSOpCode)opCode, Component.Copy(data, length)));
        }

        internal static void CheckMask(byte[] mask)
        {
            if (mask != null && mask.Length != 4) throw new ArgumentException("a mask key is 4 bytes", "mask");
        }

        internal static ushort CloseCode(int code)
        {
            if (code < 0 || code > ushort.MaxValue) throw new ArgumentOutOfRangeException("code");
            return (ushort)code;
        }
    }

    public unsafe partial class HttpServer : IWSComponent
    {
        // ---- WebSocket: frame API (HP-Socket's) ---------------------------------------------

        private WSMessageHeaderEventHandler<HttpServer> _onWSMessageHeader;

        /// <summary>Frame API: after an upgrade to WebSocket (not in the WebSocket mode), each frame
        /// begins with this event (FIN, RSV bits, opcode, mask key or null, payload length).</summary>
        public event WSMessageHeaderEventHandler<HttpServer> OnWSMessageHeader
        {
            add { lock (EventLock) _onWSMessageHeader += value; Hook(WSCallbacks.BitWSMessageHeader, l => NativeMethods.HP_Set_FN_HttpServer_OnWSMessageHeader(l, WSCallbacks.s_header)); }
            remove { lock (EventLock) _onWSMessageHeader -= value; }
        }

        private WSMessageBodyEventHandler<HttpServer> _onWSMessageBody;

        /// <summary>Frame API: a piece of the current frame's payload, unmasked (none for an empty frame).</summary>
        public event WSMessageBodyEventHandler<HttpServer> OnWSMessageBody
        {
            add { lock (EventLock) _onWSMessageBody += value; Hook(WSCallbacks.BitWSMessageBody, l => NativeMethods.HP_Set_FN_HttpServer_OnWSMessageBody(l, WSCallbacks.s_body)); }
            remove { lock (EventLock) _onWSMessageBody -= value; }
        }

        private WSMessageCompleteEventHandler<HttpServer> _onWSMessageComplete;

        /// <summary>Frame API: the current frame is complete (one per frame: no reassembly).</summary>
        public event WSMessageCompleteEventHandler<HttpServer> OnWSMessageComplete
        {
            add { lock (EventLock) _onWSMessageComplete += value; Hook(WSCallbacks.BitWSMessageComplete, l => NativeMethods.HP_Set_FN_HttpServer_OnWSMessageComplete(l, WSCallbacks.s_complete)); }
            remove { lock (EventLock) _onWSMessageComplete -= value; }
        }

        /// <summary>The WebSocket frame of connection <paramref name="connId"/> being read, or read last; from any thread. False
        /// before the first frame.</summary>
        public bool GetWSMessageState(IntPtr connId, out WSMessageState state)
        {
            int final;
            byte reserved, opCode;
            IntPtr mask;
            ulong length = 0, remain;
            state = default(WSMessageState);
            if (NativeMethods.HP_HttpServer_GetWSMessageState(Handle, connId, out final, &reserved, &opCode, out mask, ref length, out remain) == 0) return false;
            state.Final = final != 0;
            state.Reserved = reserved;
            state.OpCode = (WSOpCode)opCode;
            state.Mask = WSCallbacks.Mask(mask);
            state.BodyLength = length;
            state.BodyRemain = remain;
            return true;
        }

        /// <summary>Sends one WebSocket frame (never masked: a server's frames are not). With
        /// <paramref name="bodyLength"/> 0 or <paramref name="count"/> the bytes are the whole
        /// payload; a larger one announces it and the rest follows through plain Send. False for
        /// <paramref name="reserved"/> over 7, a smaller <paramref name="bodyLength"/>, or a gone connection.</summary>
        public bool SendWSMessage(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] data, int offset, int count, ulong bodyLength = 0)
        {
            if (data == null) { if (offset != 0 || count != 0) throw new ArgumentNullException("data"); }
            else CheckRange(data, offset, count);
            fixed (byte* p = data)
                return NativeMethods.HP_HttpServer_SendWSMessage(Handle, connId, B(final), reserved, (byte)opCode, p == null ? null : p + offset, count, bodyLength) != 0;
        }

        /// <summary>Sends <paramref name="data"/> (null: empty) as one frame with <paramref name="opCode"/>;
        /// <paramref name="final"/> false starts or continues a fragmented message (continue it with
        /// <see cref="WSOpCode.Continuation"/>).</summary>
        public bool SendWSMessage(IntPtr connId, WSOpCode opCode, byte[] data, bool final = true)
        {
            return SendWSMessage(connId, final, 0, opCode, data, 0, data == null ? 0 : data.Length);
        }

        // ---- WebSocket mode (extension) -----------------------------------------------------

        private WSMessageEventHandler<HttpServer> _onWSMessage;

        /// <summary>WebSocket mode: a whole message, a ping's or pong's payload, or the peer's close
        /// (answered already; the connection then closes with OnClose(Close, 0)). The frame events
        /// are not raised in the mode.</summary>
        public event WSMessageEventHandler<HttpServer> OnWSMessage
        {
            add { lock (EventLock) _onWSMessage += value; Hook(WSCallbacks.BitWSMessage, l => NativeMethods.HPX_Set_FN_HttpServer_OnWSMessage(l, WSCallbacks.s_message)); }
            remove { lock (EventLock) _onWSMessage -= value; }
        }

        /// <summary>WebSocket mode: the largest message reassembled, in bytes (default 16 MiB,
        /// 1..2^31-1); a bigger one closes the connection with code 1009. May change while running.</summary>
        /// <exception cref="HPSocketException">a value out of range.</exception>
        public uint WSMaxMessageSize
        {
            get { return NativeMethods.HPX_HttpServer_GetWSMaxMessageSize(Handle); }
            set
            {
                if (NativeMethods.HPX_HttpServer_SetWSMaxMessageSize(Handle, value) == 0)
                    throw new HPSocketException(ErrorCode, "WSMaxMessageSize was not changed: " + ErrorMessage);
            }
        }

        /// <summary>WebSocket mode: starts the closing handshake of connection <paramref name="connId"/> with <paramref name="code"/>
        /// (1000..1003, 1007..1011, 3000..4999) and <paramref name="reason"/> (null: none; at most
        /// 123 UTF-8 bytes); false for anything else. The connection closes when the peer's close
        /// arrives (OnClose(Close, 0)), or max(ReleaseDelay, 1000) ms later.</summary>
        public bool SendWSClose(IntPtr connId, int code = 1000, string reason = null)
        {
            return NativeMethods.HPX_HttpServer_SendWSClose(Handle, connId, WSCallbacks.CloseCode(code), Utf8.Encode(reason)) != 0;
        }

        HandleResult IWSComponent.FireWSMessageHeader(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, ulong bodyLength) { var h = _onWSMessageHeader; return h == null ? HandleResult.Ok : h(this, connId, final, reserved, opCode, mask, bodyLength); }
        HandleResult IWSComponent.FireWSMessageBody(IntPtr connId, byte[] data) { var h = _onWSMessageBody; return h == null ? HandleResult.Ok : h(this, connId, data); }
        HandleResult IWSComponent.FireWSMessageComplete(IntPtr connId) { var h = _onWSMessageComplete; return h == null ? HandleResult.Ok : h(this, connId); }
        HandleResult IWSComponent.FireWSMessage(IntPtr connId, WSOpCode opCode, byte[] data) { var h = _onWSMessage; return h == null ? HandleResult.Ok : h(this, connId, opCode, data); }
    }

    public unsafe partial class HttpAgent : IWSComponent
    {
        // ---- WebSocket: frame API (HP-Socket's) ---------------------------------------------

        private WSMessageHeaderEventHandler<HttpAgent> _onWSMessageHeader;

        /// <summary>Frame API: after an upgrade to WebSocket (not in the WebSocket mode), each frame
        /// begins with this event (FIN, RSV bits, opcode, mask key or null, payload length).</summary>
        public event WSMessageHeaderEventHandler<HttpAgent> OnWSMessageHeader
        {
            add { lock (EventLock) _onWSMessageHeader += value; Hook(WSCallbacks.BitWSMessageHeader, l => NativeMethods.HP_Set_FN_HttpAgent_OnWSMessageHeader(l, WSCallbacks.s_header)); }
            remove { lock (EventLock) _onWSMessageHeader -= value; }
        }

        private WSMessageBodyEventHandler<HttpAgent> _onWSMessageBody;

        /// <summary>Frame API: a piece of the current frame's payload, unmasked (none for an empty frame).</summary>
        public event WSMessageBodyEventHandler<HttpAgent> OnWSMessageBody
        {
            add { lock (EventLock) _onWSMessageBody += value; Hook(WSCallbacks.BitWSMessageBody, l => NativeMethods.HP_Set_FN_HttpAgent_OnWSMessageBody(l, WSCallbacks.s_body)); }
            remove { lock (EventLock) _onWSMessageBody -= value; }
        }

        private WSMessageCompleteEventHandler<HttpAgent> _onWSMessageComplete;

        /// <summary>Frame API: the current frame is complete (one per frame: no reassembly).</summary>
        public event WSMessageCompleteEventHandler<HttpAgent> OnWSMessageComplete
        {
            add { lock (EventLock) _onWSMessageComplete += value; Hook(WSCallbacks.BitWSMessageComplete, l => NativeMethods.HP_Set_FN_HttpAgent_OnWSMessageComplete(l, WSCallbacks.s_complete)); }
            remove { lock (EventLock) _onWSMessageComplete -= value; }
        }

        /// <summary>The WebSocket frame of connection <paramref name="connId"/> being read, or read last; from any thread. False
        /// before the first frame.</summary>
        public bool GetWSMessageState(IntPtr connId, out WSMessageState state)
        {
            int final;
            byte reserved, opCode;
            IntPtr mask;
            ulong length = 0, remain;
            state = default(WSMessageState);
            if (NativeMethods.HP_HttpAgent_GetWSMessageState(Handle, connId, out final, &reserved, &opCode, out mask, ref length, out remain) == 0) return false;
            state.Final = final != 0;
            state.Reserved = reserved;
            state.OpCode = (WSOpCode)opCode;
            state.Mask = WSCallbacks.Mask(mask);
            state.BodyLength = length;
            state.BodyRemain = remain;
            return true;
        }

        /// <summary>Sends one WebSocket frame masked with <paramref name="mask"/> (4 bytes), or with a
        /// fresh random key when it is null (RFC 6455: a client masks every frame). With
        /// <paramref name="bodyLength"/> 0 or <paramref name="count"/> the bytes are the whole
        /// payload; a larger one announces it and the rest follows through plain Send (masked by
        /// the caller). False for <paramref name="reserved"/> over 7, a smaller
        /// <paramref name="bodyLength"/>, or a gone connection. <paramref name="data"/> is never changed.</summary>
        public bool SendWSMessage(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, byte[] data, int offset, int count, ulong bodyLength = 0)
        {
            WSCallbacks.CheckMask(mask);
            if (data == null) { if (offset != 0 || count != 0) throw new ArgumentNullException("data"); }
            else CheckRange(data, offset, count);
            fixed (byte* m = mask)
            fixed (byte* p = data)
                return NativeMethods.HP_HttpAgent_SendWSMessage(Handle, connId, B(final), reserved, (byte)opCode, m, p == null ? null : p + offset, count, bodyLength) != 0;
        }

        /// <summary>Sends <paramref name="data"/> (null: empty) as one frame with <paramref name="opCode"/>;
        /// <paramref name="final"/> false starts or continues a fragmented message (continue it with
        /// <see cref="WSOpCode.Continuation"/>).</summary>
        public bool SendWSMessage(IntPtr connId, WSOpCode opCode, byte[] data, bool final = true)
        {
            return SendWSMessage(connId, final, 0, opCode, null, data, 0, data == null ? 0 : data.Length);
        }

        // ---- WebSocket mode (extension) -----------------------------------------------------

        private WSMessageEventHandler<HttpAgent> _onWSMessage;

        /// <summary>WebSocket mode: a whole message, a ping's or pong's payload, or the peer's close
        /// (answered already; the connection then closes with OnClose(Close, 0)). The frame events
        /// are not raised in the mode.</summary>
        public event WSMessageEventHandler<HttpAgent> OnWSMessage
        {
            add { lock (EventLock) _onWSMessage += value; Hook(WSCallbacks.BitWSMessage, l => NativeMethods.HPX_Set_FN_HttpAgent_OnWSMessage(l, WSCallbacks.s_message)); }
            remove { lock (EventLock) _onWSMessage -= value; }
        }

        /// <summary>WebSocket mode: the largest message reassembled, in bytes (default 16 MiB,
        /// 1..2^31-1); a bigger one closes the connection with code 1009. May change while running.</summary>
        /// <exception cref="HPSocketException">a value out of range.</exception>
        public uint WSMaxMessageSize
        {
            get { return NativeMethods.HPX_HttpAgent_GetWSMaxMessageSize(Handle); }
            set
            {
                if (NativeMethods.HPX_HttpAgent_SetWSMaxMessageSize(Handle, value) == 0)
                    throw new HPSocketException(ErrorCode, "WSMaxMessageSize was not changed: " + ErrorMessage);
            }
        }

        /// <summary>WebSocket mode: sends the upgrade request <c>GET path</c> of connection <paramref name="connId"/> with a fresh
        /// Sec-WebSocket-Key and <paramref name="headers"/> (Host and cookies as SendRequest). A 101
        /// with the matching accept raises OnUpgrade(WebSocket) and messages then arrive through
        /// <see cref="OnWSMessage"/>; a wrong accept closes the connection (Receive, EPROTO).</summary>
        public bool SendWSUpgrade(IntPtr connId, string path, IEnumerable<KeyValuePair<string, string>> headers = null)
        {
            using (var h = new NvPairs(headers))
                return NativeMethods.HPX_HttpAgent_SendWSUpgrade(Handle, connId, Utf8.Encode(path ?? "/"), h.Array, h.Count) != 0;
        }

        /// <summary>WebSocket mode: starts the closing handshake of connection <paramref name="connId"/> with <paramref name="code"/>
        /// (1000..1003, 1007..1011, 3000..4999) and <paramref name="reason"/> (null: none; at most
        /// 123 UTF-8 bytes); false for anything else. The connection closes when the peer's close
        /// arrives (OnClose(Close, 0)), or max(ReleaseDelay, 1000) ms later.</summary>
        public bool SendWSClose(IntPtr connId, int code = 1000, string reason = null)
        {
            return NativeMethods.HPX_HttpAgent_SendWSClose(Handle, connId, WSCallbacks.CloseCode(code), Utf8.Encode(reason)) != 0;
        }

        HandleResult IWSComponent.FireWSMessageHeader(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, ulong bodyLength) { var h = _onWSMessageHeader; return h == null ? HandleResult.Ok : h(this, connId, final, reserved, opCode, mask, bodyLength); }
        HandleResult IWSComponent.FireWSMessageBody(IntPtr connId, byte[] data) { var h = _onWSMessageBody; return h == null ? HandleResult.Ok : h(this, connId, data); }
        HandleResult IWSComponent.FireWSMessageComplete(IntPtr connId) { var h = _onWSMessageComplete; return h == null ? HandleResult.Ok : h(this, connId); }
        HandleResult IWSComponent.FireWSMessage(IntPtr connId, WSOpCode opCode, byte[] data) { var h = _onWSMessage; return h == null ? HandleResult.Ok : h(this, connId, opCode, data); }
    }

    public unsafe partial class HttpClient : IWSComponent
    {
        // ---- WebSocket: frame API (HP-Socket's) ---------------------------------------------

        private WSMessageHeaderEventHandler<HttpClient> _onWSMessageHeader;

        /// <summary>Frame API: after an upgrade to WebSocket (not in the WebSocket mode), each frame
        /// begins with this event (FIN, RSV bits, opcode, mask key or null, payload length).</summary>
        public event WSMessageHeaderEventHandler<HttpClient> OnWSMessageHeader
        {
            add { lock (EventLock) _onWSMessageHeader += value; Hook(WSCallbacks.BitWSMessageHeader, l => NativeMethods.HP_Set_FN_HttpClient_OnWSMessageHeader(l, WSCallbacks.s_header)); }
            remove { lock (EventLock) _onWSMessageHeader -= value; }
        }

        private WSMessageBodyEventHandler<HttpClient> _onWSMessageBody;

        /// <summary>Frame API: a piece of the current frame's payload, unmasked (none for an empty frame).</summary>
        public event WSMessageBodyEventHandler<HttpClient> OnWSMessageBody
        {
            add { lock (EventLock) _onWSMessageBody += value; Hook(WSCallbacks.BitWSMessageBody, l => NativeMethods.HP_Set_FN_HttpClient_OnWSMessageBody(l, WSCallbacks.s_body)); }
            remove { lock (EventLock) _onWSMessageBody -= value; }
        }

        private WSMessageCompleteEventHandler<HttpClient> _onWSMessageComplete;

        /// <summary>Frame API: the current frame is complete (one per frame: no reassembly).</summary>
        public event WSMessageCompleteEventHandler<HttpClient> OnWSMessageComplete
        {
            add { lock (EventLock) _onWSMessageComplete += value; Hook(WSCallbacks.BitWSMessageComplete, l => NativeMethods.HP_Set_FN_HttpClient_OnWSMessageComplete(l, WSCallbacks.s_complete)); }
            remove { lock (EventLock) _onWSMessageComplete -= value; }
        }

        /// <summary>The WebSocket frame being read, or read last; from any thread. False
        /// before the first frame.</summary>
        public bool GetWSMessageState(out WSMessageState state)
        {
            int final;
            byte reserved, opCode;
            IntPtr mask;
            ulong length = 0, remain;
            state = default(WSMessageState);
            if (NativeMethods.HP_HttpClient_GetWSMessageState(Handle, out final, &reserved, &opCode, out mask, ref length, out remain) == 0) return false;
            state.Final = final != 0;
            state.Reserved = reserved;
            state.OpCode = (WSOpCode)opCode;
            state.Mask = WSCallbacks.Mask(mask);
            state.BodyLength = length;
            state.BodyRemain = remain;
            return true;
        }

        /// <summary>Sends one WebSocket frame masked with <paramref name="mask"/> (4 bytes), or with a
        /// fresh random key when it is null (RFC 6455: a client masks every frame). With
        /// <paramref name="bodyLength"/> 0 or <paramref name="count"/> the bytes are the whole
        /// payload; a larger one announces it and the rest follows through plain Send (masked by
        /// the caller). False for <paramref name="reserved"/> over 7, a smaller
        /// <paramref name="bodyLength"/>, or a gone connection. <paramref name="data"/> is never changed.</summary>
        public bool SendWSMessage(bool final, byte reserved, WSOpCode opCode, byte[] mask, byte[] data, int offset, int count, ulong bodyLength = 0)
        {
            WSCallbacks.CheckMask(mask);
            if (data == null) { if (offset != 0 || count != 0) throw new ArgumentNullException("data"); }
            else CheckRange(data, offset, count);
            fixed (byte* m = mask)
            fixed (byte* p = data)
                return NativeMethods.HP_HttpClient_SendWSMessage(Handle, B(final), reserved, (byte)opCode, m, p == null ? null : p + offset, count, bodyLength) != 0;
        }

        /// <summary>Sends <paramref name="data"/> (null: empty) as one frame with <paramref name="opCode"/>;
        /// <paramref name="final"/> false starts or continues a fragmented message (continue it with
        /// <see cref="WSOpCode.Continuation"/>).</summary>
        public bool SendWSMessage(WSOpCode opCode, byte[] data, bool final = true)
        {
            return SendWSMessage(final, 0, opCode, null, data, 0, data == null ? 0 : data.Length);
        }

        // ---- WebSocket mode (extension) -----------------------------------------------------

        private WSMessageEventHandler<HttpClient> _onWSMessage;

        /// <summary>WebSocket mode: a whole message, a ping's or pong's payload, or the peer's close
        /// (answered already; the connection then closes with OnClose(Close, 0)). The frame events
        /// are not raised in the mode.</summary>
        public event WSMessageEventHandler<HttpClient> OnWSMessage
        {
            add { lock (EventLock) _onWSMessage += value; Hook(WSCallbacks.BitWSMessage, l => NativeMethods.HPX_Set_FN_HttpClient_OnWSMessage(l, WSCallbacks.s_message)); }
            remove { lock (EventLock) _onWSMessage -= value; }
        }

        /// <summary>WebSocket mode: the largest message reassembled, in bytes (default 16 MiB,
        /// 1..2^31-1); a bigger one closes the connection with code 1009. May change while running.</summary>
        /// <exception cref="HPSocketException">a value out of range.</exception>
        public uint WSMaxMessageSize
        {
            get { return NativeMethods.HPX_HttpClient_GetWSMaxMessageSize(Handle); }
            set
            {
                if (NativeMethods.HPX_HttpClient_SetWSMaxMessageSize(Handle, value) == 0)
                    throw new HPSocketException(ErrorCode, "WSMaxMessageSize was not changed: " + ErrorMessage);
            }
        }

        /// <summary>WebSocket mode: sends the upgrade request <c>GET path</c> with a fresh
        /// Sec-WebSocket-Key and <paramref name="headers"/> (Host and cookies as SendRequest). A 101
        /// with the matching accept raises OnUpgrade(WebSocket) and messages then arrive through
        /// <see cref="OnWSMessage"/>; a wrong accept closes the connection (Receive, EPROTO).</summary>
        public bool SendWSUpgrade(string path, IEnumerable<KeyValuePair<string, string>> headers = null)
        {
            using (var h = new NvPairs(headers))
                return NativeMethods.HPX_HttpClient_SendWSUpgrade(Handle, Utf8.Encode(path ?? "/"), h.Array, h.Count) != 0;
        }

        /// <summary>WebSocket mode: starts the closing handshake with <paramref name="code"/>
        /// (1000..1003, 1007..1011, 3000..4999) and <paramref name="reason"/> (null: none; at most
        /// 123 UTF-8 bytes); false for anything else. The connection closes when the peer's close
        /// arrives (OnClose(Close, 0)), or max(ReleaseDelay, 1000) ms later.</summary>
        public bool SendWSClose(int code = 1000, string reason = null)
        {
            return NativeMethods.HPX_HttpClient_SendWSClose(Handle, WSCallbacks.CloseCode(code), Utf8.Encode(reason)) != 0;
        }

        HandleResult IWSComponent.FireWSMessageHeader(IntPtr connId, bool final, byte reserved, WSOpCode opCode, byte[] mask, ulong bodyLength) { var h = _onWSMessageHeader; return h == null ? HandleResult.Ok : h(this, connId, final, reserved, opCode, mask, bodyLength); }
        HandleResult IWSComponent.FireWSMessageBody(IntPtr connId, byte[] data) { var h = _onWSMessageBody; return h == null ? HandleResult.Ok : h(this, connId, data); }
        HandleResult IWSComponent.FireWSMessageComplete(IntPtr connId) { var h = _onWSMessageComplete; return h == null ? HandleResult.Ok : h(this, connId); }
        HandleResult IWSComponent.FireWSMessage(IntPtr connId, WSOpCode opCode, byte[] data) { var h = _onWSMessage; return h == null ? HandleResult.Ok : h(this, connId, opCode, data); }
    }
}
