import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.hpsocket.codec.Compressor;
import org.hpsocket.codec.Decompressor;
import org.hpsocket.codec.Gzip;
import org.hpsocket.codec.Zlib;

/**
 * Our zlib/gzip (hpsocket_core::codec: flate2 over zlib-rs) against the JDK's java.util.zip
 * (the system zlib) on the same 16 MiB of mixed text, and our brotli (no JDK equivalent) for
 * reference. Both sides stream in 64 KiB pieces at zlib level 6. Ours runs twice: through a
 * minimal JNI call (one call per buffer, native/), and through the shipped org.hpsocket.codec
 * streaming classes (one call per 64 KiB piece, a new byte[] back each time).
 * Every round is checked (each side decodes the other's output), the JIT is warmed up first,
 * and the rounds of the two sides alternate so that a noisy machine hurts both alike.
 *
 * <p>Run with {@code bench/run.sh} (builds the native half); prints a Markdown table.
 * {@code -Dbench.mib=16 -Dbench.rounds=7 -Dbench.warmup=3 -Dbench.brotli11=true}.
 */
public final class CodecBench {
    static native byte[] compress(int format, int level, byte[] src, int piece);

    static native byte[] decompress(int format, byte[] src, int piece, int expected);

    static final int ZLIB = 0;
    static final int GZIP = 1;
    static final int BROTLI = 2;
    static final int PIECE = 64 << 10;
    static final int LEVEL = 6;

    // ---- the data: 16 MiB of mixed text (prose, log lines, JSON, HTML), deterministic ----

    static byte[] mixedText(int size) {
        String[] words = ("the of and to in is that for it as was with be by on not he this are or his "
                + "from at which but have an they you were her she there been one all would their we "
                + "him has when who will more no if out so said what up its about into than them can "
                + "only other new some could time these two may then do first any my now such like our "
                + "over man me even most made after also did many before must through back years where "
                + "much your way well down should because each just those people how too little state "
                + "good very make world still own see men work long get here between both life being "
                + "under never day same another know while last might us great old year off come since "
                + "against go came right used take three socket server client connection buffer packet "
                + "listener worker thread event handshake message request response header body chunk "
                + "cookie upgrade websocket compress decompress stream window level quality").split(" ");
        String[] levels = {"INFO", "DEBUG", "WARN", "ERROR", "TRACE"};
        String[] paths = {"/", "/index.html", "/api/v1/users", "/api/v1/orders?page=", "/static/app.js",
            "/chat", "/login", "/img/logo.png"};
        Random r = new Random(20240611L);
        StringBuilder sb = new StringBuilder(size + 4096);
        long t = 1_700_000_000_000L;
        while (sb.length() < size) {
            int kind = r.nextInt(10);
            if (kind < 4) { // prose
                int n = 20 + r.nextInt(60);
                for (int i = 0; i < n; i++) {
                    String w = words[(int) Math.min(words.length - 1, Math.abs(r.nextGaussian()) * words.length / 3)];
                    sb.append(i == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
                    sb.append(i + 1 == n ? ".\n" : r.nextInt(12) == 0 ? ", " : " ");
                }
            } else if (kind < 7) { // log lines
                t += r.nextInt(5000);
                sb.append(java.time.Instant.ofEpochMilli(t)).append(' ').append(levels[r.nextInt(levels.length)])
                        .append(" [hpsocket-hp-worker-").append(r.nextInt(8)).append("] conn=")
                        .append(r.nextInt(100_000)).append(" peer=10.").append(r.nextInt(256)).append('.')
                        .append(r.nextInt(256)).append('.').append(r.nextInt(256)).append(':')
                        .append(1024 + r.nextInt(60000)).append(' ').append(words[r.nextInt(words.length)])
                        .append(' ').append(words[r.nextInt(words.length)]).append(" bytes=")
                        .append(r.nextInt(1 << 20)).append(" took=").append(r.nextInt(10_000)).append("us\n");
            } else if (kind < 9) { // JSON
                sb.append("{\"id\":").append(r.nextInt(1_000_000)).append(",\"name\":\"")
                        .append(words[r.nextInt(words.length)]).append('_').append(r.nextInt(1000))
                        .append("\",\"score\":").append(r.nextDouble()).append(",\"tags\":[\"")
                        .append(words[r.nextInt(words.length)]).append("\",\"").append(words[r.nextInt(words.length)])
                        .append("\"],\"active\":").append(r.nextBoolean()).append(",\"token\":\"")
                        .append(Long.toHexString(r.nextLong())).append("\"}\n");
            } else { // HTML
                sb.append("<div class=\"row\"><a href=\"").append(paths[r.nextInt(paths.length)])
                        .append(r.nextInt(100)).append("\">").append(words[r.nextInt(words.length)])
                        .append("</a><span>").append(r.nextInt(10000)).append("</span></div>\n");
            }
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---- the JDK side: idiomatic streaming use, 64 KiB pieces and buffers ----

    static byte[] jdkDeflate(byte[] src) {
        Deflater d = new Deflater(LEVEL);
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 3);
        byte[] buf = new byte[PIECE];
        for (int off = 0; off < src.length; off += PIECE) {
            d.setInput(src, off, Math.min(PIECE, src.length - off));
            while (!d.needsInput()) {
                out.write(buf, 0, d.deflate(buf));
            }
        }
        d.finish();
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static byte[] jdkInflate(byte[] src, int expected) {
        Inflater inf = new Inflater();
        ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
        byte[] buf = new byte[PIECE];
        try {
            for (int off = 0; off < src.length && !inf.finished(); off += PIECE) {
                inf.setInput(src, off, Math.min(PIECE, src.length - off));
                while (!inf.needsInput() && !inf.finished()) {
                    out.write(buf, 0, inf.inflate(buf));
                }
            }
            // Output still pending after the last input.
            int k;
            while (!inf.finished() && (k = inf.inflate(buf)) > 0) {
                out.write(buf, 0, k);
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException(e);
        } finally {
            inf.end();
        }
        return out.toByteArray();
    }

    static byte[] jdkGzip(byte[] src) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 3);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, PIECE)) {
            for (int off = 0; off < src.length; off += PIECE) {
                gz.write(src, off, Math.min(PIECE, src.length - off));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static byte[] jdkGunzip(byte[] src, int expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
        byte[] buf = new byte[PIECE];
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(src), PIECE)) {
            int n;
            while ((n = gz.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    // ---- the shipped API: org.hpsocket.codec, one update per 64 KiB piece ----

    static byte[] shippedCompress(int format, byte[] src) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length / 3);
        try (Compressor c = format == ZLIB ? Zlib.compressor(LEVEL) : Gzip.compressor(LEVEL)) {
            for (int off = 0; off < src.length; off += PIECE) {
                out.writeBytes(c.update(src, off, Math.min(PIECE, src.length - off)));
            }
            out.writeBytes(c.finish());
        }
        return out.toByteArray();
    }

    static byte[] shippedDecompress(int format, byte[] src, int expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(expected);
        try (Decompressor d = format == ZLIB ? Zlib.decompressor() : Gzip.decompressor()) {
            for (int off = 0; off < src.length; off += PIECE) {
                out.writeBytes(d.update(src, off, Math.min(PIECE, src.length - off)));
            }
            check(d.isFinished(), "the stream ends");
        }
        return out.toByteArray();
    }

    // ---- measuring ----

    static final class Cell {
        final String name;
        final Supplier<byte[]> op;
        final List<Double> seconds = new ArrayList<>();
        byte[] last;

        Cell(String name, Supplier<byte[]> op) {
            this.name = name;
            this.op = op;
        }

        void run(boolean timed) {
            long t0 = System.nanoTime();
            last = op.get();
            long t1 = System.nanoTime();
            if (timed) {
                seconds.add((t1 - t0) / 1e9);
            }
        }

        double median() {
            double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return s[s.length / 2];
        }

        /** Half the range of the rounds, relative to the median. */
        double spread() {
            double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return (s[s.length - 1] - s[0]) / 2 / median();
        }
    }

    /** Warms up, then alternates the cells' rounds. */
    static void measure(int warmup, int rounds, Cell... cells) {
        for (int i = 0; i < warmup; i++) {
            for (Cell c : cells) {
                c.run(false);
            }
        }
        for (int i = 0; i < rounds; i++) {
            for (Cell c : (i % 2 == 0 ? cells : reversed(cells))) {
                c.run(true);
            }
        }
    }

    static Cell[] reversed(Cell[] cells) {
        Cell[] r = cells.clone();
        for (int i = 0; i < r.length / 2; i++) {
            Cell x = r[i];
            r[i] = r[r.length - 1 - i];
            r[r.length - 1 - i] = x;
        }
        return r;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static String row(Cell c, int plainBytes, String size) {
        return String.format("| %s | %.1f | ±%.0f%% | %s |", c.name, plainBytes / c.median() / (1 << 20),
                c.spread() * 100, size);
    }

    public static void main(String[] args) {
        System.loadLibrary("codecbench");
        int mib = Integer.getInteger("bench.mib", 16);
        int rounds = Integer.getInteger("bench.rounds", 7);
        int warmup = Integer.getInteger("bench.warmup", 3);
        byte[] data = mixedText(mib << 20);
        int n = data.length;
        System.out.printf("%d MiB of mixed text; %d warm-up and %d timed rounds per cell, alternating; "
                + "MiB/s of uncompressed data, median (± half the range)%n%n", mib, warmup, rounds);
        System.out.println("| cell | MiB/s | spread | output |");
        System.out.println("| --- | ---: | ---: | --- |");

        for (int format : new int[] {ZLIB, GZIP}) {
            String f = format == ZLIB ? "zlib" : "gzip";
            Cell jc = new Cell(f + " compress, JDK " + (format == ZLIB ? "Deflater" : "GZIPOutputStream"),
                    () -> format == ZLIB ? jdkDeflate(data) : jdkGzip(data));
            Cell oc = new Cell(f + " compress, ours (minimal JNI call)", () -> compress(format, LEVEL, data, PIECE));
            Cell sc = new Cell(f + " compress, ours (org.hpsocket.codec)", () -> shippedCompress(format, data));
            measure(warmup, rounds, jc, oc, sc);
            byte[] jdkPacked = jc.last;
            byte[] ourPacked = oc.last;
            // Each side reads the other's stream.
            check(Arrays.equals(data, decompress(format, jdkPacked, PIECE, n)), f + ": ours reads the JDK's");
            check(Arrays.equals(data, format == ZLIB ? jdkInflate(ourPacked, n) : jdkGunzip(ourPacked, n)),
                    f + ": the JDK reads ours");
            System.out.println(row(jc, n, String.format("%d B (%.1f%%)", jdkPacked.length, 100.0 * jdkPacked.length / n)));
            System.out.println(row(oc, n, String.format("%d B (%.1f%%)", ourPacked.length, 100.0 * ourPacked.length / n)));
            check(Arrays.equals(ourPacked, sc.last), f + ": the shipped API writes the same stream");
            System.out.println(row(sc, n, "the same"));
            System.out.printf("| %s compress: ours / JDK | **%.2fx** (shipped API %.2fx) | | |%n", f,
                    jc.median() / oc.median(), jc.median() / sc.median());

            Cell jd = new Cell(f + " decompress, JDK " + (format == ZLIB ? "Inflater" : "GZIPInputStream"),
                    () -> format == ZLIB ? jdkInflate(jdkPacked, n) : jdkGunzip(jdkPacked, n));
            Cell od = new Cell(f + " decompress, ours (minimal JNI call)", () -> decompress(format, jdkPacked, PIECE, n));
            Cell sd = new Cell(f + " decompress, ours (org.hpsocket.codec)", () -> shippedDecompress(format, jdkPacked, n));
            measure(warmup, rounds, jd, od, sd);
            check(Arrays.equals(data, jd.last) && Arrays.equals(data, od.last) && Arrays.equals(data, sd.last),
                    f + ": decompress");
            System.out.println(row(jd, n, "the JDK's stream"));
            System.out.println(row(od, n, "the JDK's stream"));
            System.out.println(row(sd, n, "the JDK's stream"));
            System.out.printf("| %s decompress: ours / JDK | **%.2fx** (shipped API %.2fx) | | |%n", f,
                    jd.median() / od.median(), jd.median() / sd.median());
        }

        int[] qualities = Boolean.getBoolean("bench.brotli11") ? new int[] {5, 11} : new int[] {5};
        for (int q : qualities) {
            Cell bc = new Cell("brotli q" + q + " compress, ours (no JDK peer)", () -> compress(BROTLI, q, data, PIECE));
            int r = q > 9 ? 1 : rounds;
            measure(q > 9 ? 0 : 1, r, bc);
            byte[] packed = bc.last;
            System.out.println(row(bc, n, String.format("%d B (%.1f%%)", packed.length, 100.0 * packed.length / n)));
            Cell bd = new Cell("brotli q" + q + " decompress, ours", () -> decompress(BROTLI, packed, PIECE, n));
            measure(1, rounds, bd);
            check(Arrays.equals(data, bd.last), "brotli round trip");
            System.out.println(row(bd, n, ""));
        }
    }
}
