package io.marchproxy.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * A bulk transfer through an echo server ({@link ServerReply#ECHO}) over one TCP connection: a writer thread streams
 * {@code bytes} of a pseudo-random pattern (an odd-sized block, so no chunk boundary lines up with a segment's) while
 * the caller reads the echo back; both sides keep a CRC-32C of the stream, so a byte lost, changed, repeated or out
 * of order on either way shows as a checksum (or length) mismatch. {@link #exchange} is the small interactive kind:
 * rounds of request and echo over a connection that stays open.
 */
public final class EchoTransfer
{
    /** Bytes of the repeated pattern: odd, a little over 1 MiB. */
    private static final int PATTERN_BYTES = (1 << 20) + 7;
    private static final int CHUNK = 64 * 1024;

    /** What went out and what came back. */
    public record Result(long sent, long received, long sentCrc, long receivedCrc, long nanos)
    {
        /** True when everything sent came back, in order and unchanged. */
        public boolean intact()
        {
            return sent == received && sentCrc == receivedCrc;
        }

        /** Megabytes per second each way. */
        public double megabytesPerSecond()
        {
            return nanos == 0 ? 0 : received / 1e6 / (nanos / 1e9);
        }
    }

    private EchoTransfer()
    {
    }

    /**
     * {@code rounds} request/response exchanges over {@code socket} (connected to an echo server), which stays open:
     * {@code size} bytes out (every byte of round r is r), the same bytes back before the next round.
     *
     * @throws IOException when the connection fails or times out, or what came back differs from what was sent
     */
    public static void exchange(final Socket socket, final int size, final int rounds) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        final InputStream in = socket.getInputStream();
        final byte[] sent = new byte[size];
        for (int r = 0; r < rounds; r++)
        {
            Arrays.fill(sent, (byte)r);
            out.write(sent);
            final byte[] back = in.readNBytes(size);
            if (!Arrays.equals(sent, back))
            {
                throw new IOException("round " + r + " of " + rounds + ": sent " + size + " bytes of " + (byte)r
                    + ", got back " + back.length + (back.length == size ? " bytes that differ" : " bytes"));
            }
        }
    }

    /**
     * Sends {@code bytes} through {@code socket} (connected to an echo server), half-closes, and reads the echo until
     * the server closes; {@code seed} picks the pattern. The socket's read timeout bounds each read.
     */
    public static Result run(final Socket socket, final long bytes, final long seed)
        throws IOException, InterruptedException
    {
        final byte[] pattern = new byte[PATTERN_BYTES];
        new SplittableRandom(seed).nextBytes(pattern);
        final CRC32C sentCrc = new CRC32C();
        final AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        final long start = System.nanoTime();
        final Thread writer = Thread.ofPlatform().daemon().name("echo-transfer-writer").start(() ->
        {
            try
            {
                final OutputStream out = socket.getOutputStream();
                long left = bytes;
                int at = 0;
                while (left > 0)
                {
                    final int n = (int)Math.min(left, Math.min(CHUNK, PATTERN_BYTES - at));
                    out.write(pattern, at, n);
                    sentCrc.update(pattern, at, n);
                    left -= n;
                    at = (at + n) % PATTERN_BYTES;
                }
                socket.shutdownOutput();
            }
            catch (final IOException | RuntimeException ex)
            {
                writeFailure.set(ex);
            }
        });
        final CRC32C receivedCrc = new CRC32C();
        final byte[] buffer = new byte[CHUNK];
        final InputStream in = socket.getInputStream();
        long received = 0;
        try
        {
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                receivedCrc.update(buffer, 0, n);
                received += n;
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            socket.close(); // so that a writer blocked on a full window gives up too
            writer.join();
            throw ex;
        }
        writer.join();
        final long nanos = System.nanoTime() - start;
        if (writeFailure.get() != null)
        {
            throw new IOException("sending failed after " + received + " bytes came back", writeFailure.get());
        }
        return new Result(bytes, received, sentCrc.getValue(), receivedCrc.getValue(), nanos);
    }
}
