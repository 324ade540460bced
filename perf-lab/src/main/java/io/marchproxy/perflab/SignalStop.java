package io.marchproxy.perflab;

/**
 * SIGINT/SIGTERM for a perf-lab tool whose main thread measures: the JVM's shutdown hook raises {@link #requested()},
 * waits up to 5 s for the main thread to print its JSON line and call {@link #exit}, then halts with the status given
 * there (130 if none). {@code System.exit} cannot be used then: the JVM is already shutting down and it would block.
 * Without a signal {@link #exit} is a plain {@code System.exit}. One per process; {@link #install} from the main
 * thread.
 */
final class SignalStop
{
    private static final long JOIN_MILLIS = 5_000;

    private static volatile boolean requested;
    private static volatile boolean finished;
    private static volatile int status = 130;

    private SignalStop()
    {
    }

    /** Installs the hook for the calling (main) thread; {@code threadName} names the hook's thread. */
    static void install(final String threadName)
    {
        final Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            if (finished)
            {
                return;
            }
            requested = true;
            try
            {
                main.join(JOIN_MILLIS);
            }
            catch (final InterruptedException ignored)
            {
                Thread.currentThread().interrupt();
            }
            System.out.flush();
            Runtime.getRuntime().halt(status);
        }, threadName));
    }

    /** True once SIGINT or SIGTERM came: the measuring loop ends, the tool reports what it has. Any thread. */
    static boolean requested()
    {
        return requested;
    }

    /** Ends the process with {@code exitStatus} after flushing stdout, now or through the waiting hook. Main thread. */
    static void exit(final int exitStatus)
    {
        System.out.flush();
        status = exitStatus;
        if (requested)
        {
            return; // the hook waits for this thread to end, then halts with exitStatus
        }
        finished = true;
        System.exit(exitStatus);
    }
}
