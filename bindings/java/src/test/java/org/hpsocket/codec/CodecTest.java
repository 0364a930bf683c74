package org.hpsocket.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** zlib, gzip and brotli: round trips, streams in pieces, corrupt input, java.util.zip interop. */
class CodecTest {
    /** One codec under test. */
    record Kind(String name, Function<byte[], byte[]> compress, Function<byte[], byte[]> decompress,
            Supplier<Compressor> compressor, Supplier<Decompressor> decompressor) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Kind> KINDS = List.of(
            new Kind("zlib", Zlib::compress, Zlib::decompress, Zlib::compressor, Zlib::decompressor),
            new Kind("gzip", Gzip::compress, Gzip::decompress, Gzip::compressor, Gzip::decompressor),
            new Kind("brotli", d -> Brotli.compress(d, 5), Brotli::decompress,
                    () -> Brotli.compressor(5, 22, Brotli.Mode.TEXT), Brotli::decompressor));

    /** Text that compresses well, with some random bytes mixed in. */
    static byte[] data(int size, long seed) {
        Random r = new Random(seed);
        String[] words = {"alpha ", "beta ", "gamma\n", "\u03b4\u03ad\u03bb\u03c4\u03b1 ", "0123 ", "HP-Socket "};
        ByteArrayOutputStream b = new ByteArrayOutputStream(size + 16);
        while (b.size() < size) {
            if (r.nextInt(20) == 0) {
                byte[] noise = new byte[r.nextInt(40)];
                r.nextBytes(noise);
                b.writeBytes(noise);
            } else {
                b.writeBytes(words[r.nextInt(words.length)].getBytes(StandardCharsets.UTF_8));
            }
        }
        return Arrays.copyOf(b.toByteArray(), size);
    }

    static byte[] concat(ByteArrayOutputStream out, byte[] more) {
        out.writeBytes(more);
        return out.toByteArray();
    }

    @Test
    void oneShotRoundTrips() {
        for (Kind k : KINDS) {
            for (int size : new int[] {0, 1, 1000, 1 << 20}) {
                byte[] d = data(size, size);
                byte[] packed = k.compress.apply(d);
                if (size >= 1000) {
                    assertTrue(packed.length < d.length / 2, k + " " + size + ": " + packed.length);
                }
                assertArrayEquals(d, k.decompress.apply(packed), k + " " + size);
            }
        }
        // Every zlib level, and brotli's extremes of quality and window.
        byte[] d = data(100_000, 7);
        for (int level = -1; level <= 9; level++) {
            assertArrayEquals(d, Zlib.decompress(Zlib.compress(d, level)), "zlib level " + level);
            assertArrayEquals(d, Gzip.decompress(Gzip.compress(d, level)), "gzip level " + level);
        }
        for (int q : new int[] {0, 11}) {
            assertArrayEquals(d, Brotli.decompress(Brotli.compress(d, q)), "brotli q" + q);
        }
        try (Compressor c = Brotli.compressor(3, 10, Brotli.Mode.GENERIC)) {
            assertArrayEquals(d, Brotli.decompress(c.finish(d)), "brotli window 10");
        }
    }

    @Test
    void streamsInPiecesAndObjectsAreReusable() {
        byte[] d = data(300_000, 1);
        Random r = new Random(2);
        for (Kind k : KINDS) {
            try (Compressor c = k.compressor.get(); Decompressor u = k.decompressor.get()) {
                for (int round = 0; round < 2; round++) {
                    ByteArrayOutputStream packed = new ByteArrayOutputStream();
                    for (int off = 0; off < d.length;) {
                        int n = Math.min(d.length - off, 1 + r.nextInt(20_000));
                        packed.writeBytes(c.update(d, off, n));
                        off += n;
                    }
                    byte[] stream = concat(packed, c.finish());
                    ByteArrayOutputStream plain = new ByteArrayOutputStream();
                    for (int off = 0; off < stream.length;) {
                        int n = Math.min(stream.length - off, 1 + r.nextInt(round == 0 ? 7 : 5000));
                        // Still true from the previous stream until the first update.
                        assertTrue(off == 0 || !u.isFinished(), k + " ended early");
                        plain.writeBytes(u.update(stream, off, n));
                        off += n;
                    }
                    assertTrue(u.isFinished(), k + " round " + round);
                    assertArrayEquals(d, plain.toByteArray(), k + " round " + round);
                }
            }
        }
    }

    @Test
    void flushMakesThePrefixDecodable() {
        for (Kind k : KINDS) {
            try (Compressor c = k.compressor.get(); Decompressor u = k.decompressor.get()) {
                byte[] a = c.update("hello, ".getBytes(StandardCharsets.UTF_8));
                a = concatBytes(a, c.flush());
                assertEquals("hello, ", new String(u.update(a), StandardCharsets.UTF_8), k.name);
                assertFalse(u.isFinished());
                byte[] b = c.finish("world".getBytes(StandardCharsets.UTF_8));
                assertEquals("world", new String(u.update(b), StandardCharsets.UTF_8), k.name);
                assertTrue(u.isFinished(), k.name);
            }
        }
    }

    static byte[] concatBytes(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void corruptAndTruncatedInputThrows() {
        byte[] d = data(200_000, 3);
        for (Kind k : KINDS) {
            byte[] packed = k.compress.apply(d);
            // Truncated: the stream never ends.
            byte[] cut = Arrays.copyOf(packed, packed.length - 10);
            assertThrows(CodecException.class, () -> k.decompress.apply(cut), k + " truncated");
            // Not compressed at all.
            byte[] text = "this is not a compressed stream, not at all".getBytes(StandardCharsets.US_ASCII);
            assertThrows(CodecException.class, () -> k.decompress.apply(text), k + " plain text");
            // The streaming decompressor throws too, and then reads a good stream.
            try (Decompressor u = k.decompressor.get()) {
                assertThrows(CodecException.class, () -> u.update(text), k + " streaming");
                assertArrayEquals(d, u.update(packed), k + " after the failure");
                assertTrue(u.isFinished());
            }
        }
        // zlib and gzip check their data (Adler-32, CRC-32): any flipped byte in the body is
        // found. Brotli has no checksum; a flipped byte may decode to other bytes.
        byte[] z = Zlib.compress(d);
        byte[] g = Gzip.compress(d);
        for (int at : new int[] {z.length / 3, z.length / 2, z.length - 3}) {
            byte[] bad = z.clone();
            bad[at] ^= 0x55;
            assertThrows(CodecException.class, () -> Zlib.decompress(bad), "zlib byte " + at);
        }
        for (int at : new int[] {g.length / 3, g.length / 2, g.length - 6}) {
            byte[] bad = g.clone();
            bad[at] ^= 0x55;
            assertThrows(CodecException.class, () -> Gzip.decompress(bad), "gzip byte " + at);
        }
    }

    @Test
    void outputLimits() {
        byte[] zeros = new byte[10 << 20];
        for (Kind k : KINDS) {
            byte[] bomb = k.compress.apply(zeros);
            assertTrue(bomb.length < 40_000, k + ": " + bomb.length);
            CodecException e = assertThrows(CodecException.class, () -> limited(k, bomb, zeros.length - 1));
            assertTrue(e.getMessage().contains("limit"), e.getMessage());
            assertEquals(zeros.length, limited(k, bomb, zeros.length).length);
            try (Decompressor u = k.decompressor.get()) {
                u.setMaxOutput(1 << 20);
                assertThrows(CodecException.class, () -> u.update(bomb), k.name);
                u.setMaxOutput(zeros.length);
                assertArrayEquals(zeros, u.update(bomb));
                assertThrows(IllegalArgumentException.class, () -> u.setMaxOutput(-1));
            }
        }
    }

    static byte[] limited(Kind k, byte[] stream, int max) {
        switch (k.name) {
            case "zlib":
                return Zlib.decompress(stream, max);
            case "gzip":
                return Gzip.decompress(stream, max);
            default:
                return Brotli.decompress(stream, max);
        }
    }

    @Test
    void interopWithJavaUtilZip() throws IOException, DataFormatException {
        byte[] d = data(500_000, 4);
        // Ours -> the JDK.
        Inflater inf = new Inflater();
        inf.setInput(Zlib.compress(d));
        byte[] out = new byte[d.length];
        assertEquals(d.length, inf.inflate(out));
        assertTrue(inf.finished());
        inf.end();
        assertArrayEquals(d, out);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Gzip.compress(d, 9)))) {
            assertArrayEquals(d, in.readAllBytes());
        }
        // A flushed prefix of our stream is readable by the JDK before the stream ends.
        try (Compressor c = Zlib.compressor()) {
            byte[] prefix = concatBytes(c.update(d, 0, 1000), c.flush());
            Inflater partial = new Inflater();
            partial.setInput(prefix);
            byte[] first = new byte[1000];
            assertEquals(1000, partial.inflate(first));
            assertFalse(partial.finished());
            partial.end();
            assertArrayEquals(Arrays.copyOf(d, 1000), first);
        }
        // The JDK -> ours, at several levels.
        for (int level : new int[] {0, 1, 6, 9}) {
            Deflater def = new Deflater(level);
            def.setInput(d);
            def.finish();
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!def.finished()) {
                z.write(buf, 0, def.deflate(buf));
            }
            def.end();
            assertArrayEquals(d, Zlib.decompress(z.toByteArray()), "Deflater level " + level);
            // Gzip's decompressor takes zlib too (HP-Socket's GZipUncompress does).
            assertArrayEquals(d, Gzip.decompress(z.toByteArray()), "zlib through Gzip");
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(d);
        }
        assertArrayEquals(d, Gzip.decompress(gz.toByteArray()));
        try (Decompressor u = Gzip.decompressor()) {
            byte[] s = gz.toByteArray();
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            for (int off = 0; off < s.length; off += 999) {
                plain.writeBytes(u.update(s, off, Math.min(999, s.length - off)));
            }
            assertTrue(u.isFinished());
            assertArrayEquals(d, plain.toByteArray());
        }
    }

    @Test
    void badParametersAndClosedObjects() {
        assertThrows(IllegalArgumentException.class, () -> Zlib.compress(new byte[1], 10));
        assertThrows(IllegalArgumentException.class, () -> Gzip.compressor(-2));
        assertThrows(IllegalArgumentException.class, () -> Brotli.compress(new byte[1], 12));
        assertThrows(IllegalArgumentException.class, () -> Brotli.compressor(5, 9, Brotli.Mode.TEXT));
        assertThrows(IllegalArgumentException.class, () -> Brotli.compressor(5, 25, Brotli.Mode.TEXT));
        assertThrows(IllegalArgumentException.class, () -> Zlib.decompress(new byte[1], -1));
        Compressor c = Zlib.compressor();
        c.update(new byte[10]);
        c.reset(); // drops the stream: what follows is a new one
        byte[] s = c.finish(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Zlib.decompress(s));
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.update(new byte[1]));
        assertThrows(IllegalStateException.class, c::finish);
        Decompressor u = Brotli.decompressor();
        u.close();
        assertThrows(IllegalStateException.class, () -> u.update(new byte[1]));
        assertThrows(IndexOutOfBoundsException.class, () -> Zlib.compressor().update(new byte[4], 3, 2));
    }
}
