package io.marchproxy.dataplane.xsk;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of an agent forwarding over AF_XDP sockets: after a turn without work it spins while frames are
 * still in flight on a transmitting socket (their completions are due), else it sleeps in {@code poll(POLLIN)} on the
 * receiving sockets for at most {@code pollTimeoutMs} (which also wakes the kernel's RX under need-wakeup). If frames
 * stay in flight for {@value #MAX_IN_FLIGHT_SPINS} idle turns in a row (another socket on the interface and queue
 * collects the completions, or the device stopped sending) it polls with a 1 ms timeout instead of spinning on.
 * Allocation-free; for the agent's thread.
 */
public final class XskPollIdleStrategy implements IdleStrategy
{
    /** Idle turns spent spinning while frames are in flight before polling with a 1 ms timeout. */
    public static final int MAX_IN_FLIGHT_SPINS = 10_000;

    private final XskPoller receivers;
    private final XskSocket[] senders;
    private final int pollTimeoutMs;
    private int spins;

    /**
     * An idle strategy that spins while {@code senders} have frames in flight and otherwise polls {@code receivers}.
     *
     * @param receivers the sockets whose frames wake the agent
     * @param pollTimeoutMs how long one poll may sleep
     * @param senders the sockets whose TX completions the agent waits for
     */
    public XskPollIdleStrategy(final XskPoller receivers, final int pollTimeoutMs, final XskSocket... senders)
    {
        if (pollTimeoutMs < 0)
        {
            throw new IllegalArgumentException("pollTimeoutMs must be >= 0: " + pollTimeoutMs);
        }
        this.receivers = receivers;
        this.senders = senders.clone();
        this.pollTimeoutMs = pollTimeoutMs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (!inFlight())
        {
            spins = 0;
            receivers.poll(pollTimeoutMs);
        }
        else if (spins < MAX_IN_FLIGHT_SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else
        {
            receivers.poll(Math.min(1, pollTimeoutMs));
        }
    }

    private boolean inFlight()
    {
        for (final XskSocket s : senders)
        {
            if (s.txInFlight() > 0)
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void reset()
    {
        spins = 0;
    }

    @Override
    public String alias()
    {
        return "xsk-poll";
    }
}
