package io.marchproxy.node;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGINT/SIGTERM into an orderly stop: the JVM's shutdown hook opens {@link #stop()} and then waits (bounded) until
 * the main thread calls {@link #finished()}, so the main thread's {@code finally} blocks detach XDP and delete labs
 * before the JVM exits.
 */
public final class ShutdownSignal
{
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);

    private ShutdownSignal()
    {
    }

    /** Installs the hook; {@code graceSeconds} bounds how long the JVM waits for {@link #finished()}. */
    public static ShutdownSignal install(final String name, final long graceSeconds)
    {
        final ShutdownSignal signal = new ShutdownSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            signal.stop.countDown();
            try
            {
                signal.finished.await(graceSeconds, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
        }, name));
        return signal;
    }

    /** Opens when the process is asked to stop. */
    public CountDownLatch stop()
    {
        return stop;
    }

    /** The main thread has cleaned up; the JVM may exit. */
    public void finished()
    {
        finished.countDown();
    }
}
