using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace HPSocket
{
    /// <summary>One output piece of a compressor or decompressor (a fresh array the handler may
    /// keep); false stops the call (it returns false, the object is reset).</summary>
    public delegate bool CodecOutputHandler(byte[] piece);

    /// <summary>
    /// What compressors and decompressors share (docs/abi.md section 22): the native object (its
    /// SafeHandle calls <c>Destroy_HP_Compressor</c>/<c>Destroy_HP_Decompressor</c>), the one
    /// static data callback, and the per-call sink it feeds. Every output piece is handed over on
    /// the calling thread before Process returns; an exception thrown by the handler stops the
    /// call and is rethrown from Process. One call at a time per object: a second thread, or a
    /// Process or Reset from inside the handler, gets false (EBUSY). Not thread-safe otherwise
    /// either: give each thread its own object.
    /// </summary>
    public abstract unsafe class CodecBase : IDisposable
    {
        /// <summary>The default size of the output pieces (HP-Socket's).</summary>
        public const uint DefaultBufferSize = 16384;

        internal static readonly NativeMethods.Fn_DataCallback s_output = OutputCb;

        private readonly SafeHandle _owner;

        internal CodecBase(SafeHandle owner, string what)
        {
            if (owner == null || owner.IsInvalid) throw HPSocketException.FromThread("Create_HP_" + what);
            _owner = owner;
        }

        private sealed class Sink
        {
            internal CodecOutputHandler Handler;
            internal MemoryStream Collected;
            internal ExceptionDispatchInfo Error;
        }

        private static int OutputCb(IntPtr data, int length, IntPtr context)
        {
            Sink s = null;
            try
            {
                s = (Sink)GCHandle.FromIntPtr(context).Target;
                if (s.Collected != null)
                {
                    if (length > 0)
                    {
                        byte[] b = Component.Copy(data, length);
                        s.Collected.Write(b, 0, b.Length);
                    }
                    return 1;
                }
                return s.Handler(Component.Copy(data, length)) ? 1 : 0;
            }
            catch (Exception e)
            {
                if (s != null) s.Error = ExceptionDispatchInfo.Capture(e);
                return 0;
            }
        }

        /// <summary>The native handle (<c>HP_Compressor</c> or <c>HP_Decompressor</c>).</summary>
        /// <exception cref="ObjectDisposedException">after Dispose.</exception>
        public IntPtr Handle
        {
            get
            {
                if (_owner.IsClosed) throw new ObjectDisposedException(GetType().Name);
                return _owner.DangerousGetHandle();
            }
        }

        /// <summary>The calling thread's last failure (codecs have no error record of their own).</summary>
        public SocketError ErrorCode { get { return HP.ThreadLastError; } }
        /// <summary>The text of the calling thread's last failure.</summary>
        public string ErrorMessage { get { return HP.ThreadLastErrorDesc; } }

        /// <summary>Destroys the native object (safe from inside the output handler: it lives until
        /// the running call returns).</summary>
        public void Dispose() { _owner.Dispose(); }

        internal delegate int NativeProcess(IntPtr h, byte* data, int length, IntPtr context);

        /// <summary>Runs one native call with a sink, the handle kept alive by a reference for the
        /// length of the call (a Dispose from the handler then takes effect afterwards).</summary>
        internal bool Run(byte[] data, int offset, int count, CodecOutputHandler handler, MemoryStream collected, NativeProcess call)
        {
            if (data == null) { if (offset != 0 || count != 0) throw new ArgumentNullException("data"); }
            else if (offset < 0 || count < 0 || offset > data.Length - count) throw new ArgumentOutOfRangeException("offset", "offset/count outside the data");
            if (handler == null && collected == null) throw new ArgumentNullException("handler");
            var sink = new Sink { Handler = handler, Collected = collected };
            GCHandle pin = GCHandle.Alloc(sink);
            bool added = false;
            try
            {
                _owner.DangerousAddRef(ref added);
                bool ok;
                fixed (byte* p = data)
                    ok = call(_owner.DangerousGetHandle(), p == null ? null : p + offset, count, GCHandle.ToIntPtr(pin)) != 0;
                if (sink.Error != null) sink.Error.Throw();
                return ok;
            }
            finally
            {
                if (added) _owner.DangerousRelease();
                pin.Free();
            }
        }

        internal static HPSocketException Failure(string what)
        {
            return HPSocketException.FromThread(what);
        }
    }

    /// <summary>
    /// A streaming compressor (<c>HP_Compressor</c>): <see cref="ZLibCompressor"/>,
    /// <see cref="GZipCompressor"/>, <see cref="BrotliCompressor"/>. Feed it with Process; the
    /// last call (<c>last</c> true) ends the stream and resets the object for the next one.
    /// </summary>
    public abstract unsafe class Compressor : CodecBase
    {
        internal Compressor(CompressorHandle h, string what) : base(h, what) { }

        /// <summary>Compresses <paramref name="count"/> bytes of <paramref name="data"/>, handing
        /// each output piece to <paramref name="output"/>; <paramref name="last"/> ends the stream
        /// (also with no data), <paramref name="flush"/> makes everything given so far decodable
        /// now. False: the handler returned false (ECANCELED; the object is reset), a call from
        /// inside the handler (EBUSY).</summary>
        public bool Process(byte[] data, int offset, int count, bool last, bool flush, CodecOutputHandler output)
        {
            if (output == null) throw new ArgumentNullException("output");
            return Run(data, offset, count, output, null, (h, p, n, c) => NativeMethods.HP_Compressor_ProcessEx(h, p, n, last ? 1 : 0, flush ? 1 : 0, c));
        }

        /// <summary>Compresses <paramref name="data"/> (null: none), pieces to <paramref name="output"/>.</summary>
        public bool Process(byte[] data, bool last, CodecOutputHandler output)
        {
            return Process(data, 0, data == null ? 0 : data.Length, last, false, output);
        }

        /// <summary>Compresses <paramref name="data"/> (null: none) and returns the output of this
        /// call (maybe empty until a flush or the last call).</summary>
        /// <exception cref="HPSocketException">the library refused (the text says why).</exception>
        public byte[] Process(byte[] data, bool last, bool flush = false)
        {
            var ms = new MemoryStream();
            if (!Run(data, 0, data == null ? 0 : data.Length, null, ms, (h, p, n, c) => NativeMethods.HP_Compressor_ProcessEx(h, p, n, last ? 1 : 0, flush ? 1 : 0, c)))
                throw Failure("HP_Compressor_ProcessEx");
            return ms.ToArray();
        }

        /// <summary>Drops the stream begun so far.</summary>
        public bool Reset() { return NativeMethods.HP_Compressor_Reset(Handle) != 0; }

        /// <summary>Whether the native object is alive (always, until Dispose).</summary>
        public bool IsValid { get { return NativeMethods.HP_Compressor_IsValid(Handle) != 0; } }
    }

    /// <summary>
    /// A streaming decompressor (<c>HP_Decompressor</c>): <see cref="ZLibDecompressor"/>,
    /// <see cref="GZipDecompressor"/>, <see cref="BrotliDecompressor"/>. Feed it the stream in any
    /// pieces; it resets itself at the stream's end (bytes after the end in the same call are
    /// ignored). A truncated stream cannot be told from one still arriving.
    /// </summary>
    public abstract unsafe class Decompressor : CodecBase
    {
        internal Decompressor(DecompressorHandle h, string what) : base(h, what) { }

        /// <summary>Decompresses <paramref name="count"/> bytes of <paramref name="data"/>, handing
        /// each output piece to <paramref name="output"/>. False: corrupt data (EBADMSG; the object
        /// is reset), the handler returned false (ECANCELED), a call from inside the handler (EBUSY).</summary>
        public bool Process(byte[] data, int offset, int count, CodecOutputHandler output)
        {
            if (output == null) throw new ArgumentNullException("output");
            return Run(data, offset, count, output, null, NativeMethods.HP_Decompressor_Process);
        }

        /// <summary>Decompresses <paramref name="data"/>, pieces to <paramref name="output"/>.</summary>
        public bool Process(byte[] data, CodecOutputHandler output)
        {
            return Process(data, 0, data == null ? 0 : data.Length, output);
        }

        /// <summary>Decompresses <paramref name="data"/> and returns the output of this call.</summary>
        /// <exception cref="InvalidDataException">corrupt data (the object is reset).</exception>
        /// <exception cref="HPSocketException">any other refusal.</exception>
        public byte[] Process(byte[] data)
        {
            var ms = new MemoryStream();
            if (!Run(data, 0, data == null ? 0 : data.Length, null, ms, NativeMethods.HP_Decompressor_Process))
            {
                HPSocketException e = Failure("HP_Decompressor_Process");
                if (e.ErrorCode == SocketError.InvalidParam) throw new InvalidDataException(e.Message, e);
                throw e;
            }
            return ms.ToArray();
        }

        /// <summary>Drops the stream begun so far.</summary>
        public bool Reset() { return NativeMethods.HP_Decompressor_Reset(Handle) != 0; }

        /// <summary>Whether the native object is alive (always, until Dispose).</summary>
        public bool IsValid { get { return NativeMethods.HP_Decompressor_IsValid(Handle) != 0; } }
    }

    /// <summary>A zlib (or raw deflate, or gzip, by the window bits) compressor.</summary>
    public sealed class ZLibCompressor : Compressor
    {
        /// <summary>zlib's <c>deflateInit2</c> parameters: <paramref name="windowBits"/> 8..15 a zlib
        /// stream, -15..-8 raw deflate, 24..31 gzip; <paramref name="level"/> -1..9; pieces of at most
        /// <paramref name="bufferSize"/> bytes (1 .. 64 MiB).</summary>
        /// <exception cref="HPSocketException">a parameter out of range (the text names it).</exception>
        public ZLibCompressor(int windowBits = 15, int level = -1, int method = 8, int memLevel = 8, int strategy = 0, uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_ZLibCompressorEx(s_output, windowBits, level, method, memLevel, strategy, bufferSize), "ZLibCompressorEx") { }
    }

    /// <summary>A gzip (RFC 1952) compressor.</summary>
    public sealed class GZipCompressor : Compressor
    {
        /// <summary>As <see cref="ZLibCompressor"/> with gzip's framing.</summary>
        /// <exception cref="HPSocketException">a parameter out of range.</exception>
        public GZipCompressor(int level = -1, int method = 8, int memLevel = 8, int strategy = 0, uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_GZipCompressorEx(s_output, level, method, memLevel, strategy, bufferSize), "GZipCompressorEx") { }
    }

    /// <summary>A brotli compressor.</summary>
    public sealed class BrotliCompressor : Compressor
    {
        /// <summary><paramref name="quality"/> 0..11, <paramref name="window"/> 10..24, <paramref name="mode"/>
        /// 0 generic, 1 text, 2 font.</summary>
        /// <exception cref="HPSocketException">a parameter out of range.</exception>
        public BrotliCompressor(int quality = 11, int window = 22, int mode = 0, uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_BrotliCompressorEx(s_output, quality, window, mode, bufferSize), "BrotliCompressorEx") { }
    }

    /// <summary>A zlib (or raw deflate, gzip, or either by the header, by the window bits) decompressor.</summary>
    public sealed class ZLibDecompressor : Decompressor
    {
        /// <summary>zlib's <c>inflateInit2</c> window bits: 8..15 zlib, -15..-8 raw deflate, 24..31
        /// gzip, 40..47 zlib or gzip by the header, 0 the stream's own.</summary>
        /// <exception cref="HPSocketException">a parameter out of range.</exception>
        public ZLibDecompressor(int windowBits = 15, uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_ZLibDecompressorEx(s_output, windowBits, bufferSize), "ZLibDecompressorEx") { }
    }

    /// <summary>A gzip decompressor (reads zlib streams too, as HP-Socket's: window bits 15 + 32).</summary>
    public sealed class GZipDecompressor : Decompressor
    {
        /// <summary>Pieces of at most <paramref name="bufferSize"/> bytes.</summary>
        /// <exception cref="HPSocketException">a parameter out of range.</exception>
        public GZipDecompressor(uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_GZipDecompressorEx(s_output, bufferSize), "GZipDecompressorEx") { }
    }

    /// <summary>A brotli decompressor.</summary>
    public sealed class BrotliDecompressor : Decompressor
    {
        /// <summary>Pieces of at most <paramref name="bufferSize"/> bytes.</summary>
        /// <exception cref="HPSocketException">a parameter out of range.</exception>
        public BrotliDecompressor(uint bufferSize = DefaultBufferSize)
            : base(NativeMethods.Create_HP_BrotliDecompressorEx(s_output, bufferSize), "BrotliDecompressorEx") { }
    }

    /// <summary>
    /// The one-shot byte codecs (<c>SYS_Compress</c>, <c>SYS_GZip*</c>, <c>SYS_Brotli*</c>,
    /// <c>SYS_Base64*</c>, <c>SYS_Url*</c>; docs/abi.md section 22). Each returns a fresh array of
    /// exactly the output; the buffer is sized from the library's bound or guess and grown to the
    /// length the library reports needed (-5). Bad input throws <see cref="InvalidDataException"/>
    /// (-3), a parameter out of range <see cref="ArgumentException"/> (-2); the message is the
    /// library's.
    /// </summary>
    public static unsafe class Codecs
    {
        private delegate int Call(byte* src, uint srcLen, byte* dest, ref uint destLen);

        private static byte[] Run(string what, byte[] data, uint guess, Call call)
        {
            if (data == null) throw new ArgumentNullException("data");
            // Room for the NUL the library adds when it fits, and never a NULL output buffer.
            uint room = Math.Max(guess, 1u);
            for (int attempt = 0; ; attempt++)
            {
                byte[] dest = new byte[room];
                uint len = room;
                int rc;
                fixed (byte* s = data)
                fixed (byte* d = dest)
                    rc = call(s, (uint)data.Length, d, ref len);
                if (rc == 0)
                {
                    if (len != dest.Length) Array.Resize(ref dest, (int)len);
                    return dest;
                }
                if (rc == -5 && len > room && attempt < 8)
                {
                    room = len;
                    continue;
                }
                string text = what + ": " + HP.ThreadLastErrorDesc;
                if (rc == -3) throw new InvalidDataException(text);
                if (rc == -2) throw new ArgumentException(text);
                throw new HPSocketException(HP.ThreadLastError, text + " (result " + rc + ")");
            }
        }

        /// <summary>zlib-compresses (level -1, window bits 15).</summary>
        public static byte[] Compress(byte[] data)
        {
            return Run("SYS_Compress", data, Bound(data, false), NativeMethods.SYS_Compress);
        }

        /// <summary>Compresses with zlib's <c>deflateInit2</c> parameters (the window bits choose
        /// zlib, raw deflate or gzip).</summary>
        /// <exception cref="ArgumentException">a parameter out of range.</exception>
        public static byte[] CompressEx(byte[] data, int level = -1, int method = 8, int windowBits = 15, int memLevel = 8, int strategy = 0)
        {
            return Run("SYS_CompressEx", data, Bound(data, true),
                (byte* s, uint n, byte* d, ref uint l) => NativeMethods.SYS_CompressEx(s, n, d, ref l, level, method, windowBits, memLevel, strategy));
        }

        /// <summary>Decompresses one zlib stream.</summary>
        /// <exception cref="InvalidDataException">corrupt or truncated data.</exception>
        public static byte[] Uncompress(byte[] data)
        {
            return Run("SYS_Uncompress", data, Guess(data), NativeMethods.SYS_Uncompress);
        }

        /// <summary>Decompresses with zlib's <c>inflateInit2</c> window bits.</summary>
        /// <exception cref="InvalidDataException">corrupt or truncated data.</exception>
        /// <exception cref="ArgumentException">window bits out of range.</exception>
        public static byte[] UncompressEx(byte[] data, int windowBits)
        {
            return Run("SYS_UncompressEx", data, Guess(data),
                (byte* s, uint n, byte* d, ref uint l) => NativeMethods.SYS_UncompressEx(s, n, d, ref l, windowBits));
        }

        /// <summary>gzip-compresses (RFC 1952, level -1); <c>gzip -d</c> reads the result.</summary>
        public static byte[] GZipCompress(byte[] data)
        {
            return Run("SYS_GZipCompress", data, Bound(data, true), NativeMethods.SYS_GZipCompress);
        }

        /// <summary>Decompresses one gzip (or zlib) stream.</summary>
        /// <exception cref="InvalidDataException">corrupt or truncated data.</exception>
        public static byte[] GZipUncompress(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            uint trailer = GZipGuessUncompressBound(data);
            return Run("SYS_GZipUncompress", data, trailer > 0 ? trailer : Guess(data), NativeMethods.SYS_GZipUncompress);
        }

        /// <summary>The uncompressed length a gzip trailer states (0 when the data does not start
        /// like gzip or is under 20 bytes).</summary>
        public static uint GZipGuessUncompressBound(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            fixed (byte* s = data) return NativeMethods.SYS_GZipGuessUncompressBound(s, (uint)data.Length);
        }

        /// <summary>Brotli-compresses (quality 11, window 22, mode 0).</summary>
        public static byte[] BrotliCompress(byte[] data)
        {
            return Run("SYS_BrotliCompress", data, BrotliBound(data), NativeMethods.SYS_BrotliCompress);
        }

        /// <summary>Brotli-compresses with quality 0..11, window 10..24, mode 0..2.</summary>
        /// <exception cref="ArgumentException">a parameter out of range.</exception>
        public static byte[] BrotliCompressEx(byte[] data, int quality, int window, int mode)
        {
            return Run("SYS_BrotliCompressEx", data, BrotliBound(data),
                (byte* s, uint n, byte* d, ref uint l) => NativeMethods.SYS_BrotliCompressEx(s, n, d, ref l, quality, window, mode));
        }

        /// <summary>Decompresses one brotli stream.</summary>
        /// <exception cref="InvalidDataException">corrupt or truncated data.</exception>
        public static byte[] BrotliUncompress(byte[] data)
        {
            return Run("SYS_BrotliUncompress", data, Guess(data), NativeMethods.SYS_BrotliUncompress);
        }

        /// <summary>Base64 (RFC 4648, '=' padding) as ASCII bytes.</summary>
        public static byte[] Base64Encode(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            return Run("SYS_Base64Encode", data, NativeMethods.SYS_GuessBase64EncodeBound((uint)data.Length) + 1, NativeMethods.SYS_Base64Encode);
        }

        /// <summary>Decodes base64 (CR, LF and spaces skipped, final padding optional).</summary>
        /// <exception cref="InvalidDataException">not base64.</exception>
        public static byte[] Base64Decode(byte[] text)
        {
            if (text == null) throw new ArgumentNullException("text");
            uint guess;
            fixed (byte* s = text) guess = NativeMethods.SYS_GuessBase64DecodeBound(s, (uint)text.Length);
            return Run("SYS_Base64Decode", text, guess + 1, NativeMethods.SYS_Base64Decode);
        }

        /// <summary>URL-encodes as HP-Socket (letters, digits and <c>.-_*</c> kept, space '+', the
        /// rest <c>%XX</c>).</summary>
        public static byte[] UrlEncode(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            uint guess;
            fixed (byte* s = data) guess = NativeMethods.SYS_GuessUrlEncodeBound(s, (uint)data.Length);
            return Run("SYS_UrlEncode", data, guess + 1, NativeMethods.SYS_UrlEncode);
        }

        /// <summary>Decodes URL encoding ('+' a space, <c>%XX</c> a byte).</summary>
        /// <exception cref="InvalidDataException">a '%' without two hex digits.</exception>
        public static byte[] UrlDecode(byte[] text)
        {
            if (text == null) throw new ArgumentNullException("text");
            uint guess;
            fixed (byte* s = text) guess = NativeMethods.SYS_GuessUrlDecodeBound(s, (uint)text.Length);
            return Run("SYS_UrlDecode", text, guess + 1, NativeMethods.SYS_UrlDecode);
        }

        private static uint Bound(byte[] data, bool gzip)
        {
            if (data == null) throw new ArgumentNullException("data");
            return NativeMethods.SYS_GuessCompressBound((uint)data.Length, gzip ? 1 : 0);
        }

        private static uint BrotliBound(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            uint b = NativeMethods.SYS_BrotliGuessCompressBound((uint)data.Length);
            return b > 0 ? b : (uint)data.Length + 1024;
        }

        /// <summary>A first guess at a decompressed length; a -5 answer corrects it.</summary>
        private static uint Guess(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            return (uint)Math.Min((long)data.Length * 4 + 64, 1L << 20);
        }
    }
}
