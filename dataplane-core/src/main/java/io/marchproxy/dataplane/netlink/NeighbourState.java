package io.marchproxy.dataplane.netlink;

import io.marchproxy.ffm.linux.Neighbour;

/**
 * The state of a neighbour entry (the kernel's NUD_* "neighbour unreachability detection" states). An entry has one
 * at a time; {@link #hasLinkAddress()} says whether the kernel itself would send with the MAC it holds.
 */
public enum NeighbourState
{
    /** Created but never used: no address, no resolution under way. */
    NONE(Neighbour.NUD_NONE, false),
    /** Resolution under way: the kernel sent ARP requests or neighbour solicitations and waits for an answer. */
    INCOMPLETE(Neighbour.NUD_INCOMPLETE, false),
    /** Confirmed recently. */
    REACHABLE(Neighbour.NUD_REACHABLE, true),
    /** Not confirmed for a while; still used, and re-confirmed on the next use. */
    STALE(Neighbour.NUD_STALE, true),
    /** Used while stale; waiting for upper-layer confirmation before probing. */
    DELAY(Neighbour.NUD_DELAY, true),
    /** Being re-confirmed by unicast probes. */
    PROBE(Neighbour.NUD_PROBE, true),
    /** Resolution got no answer; the kernel drops what it would send there until the entry is retried. */
    FAILED(Neighbour.NUD_FAILED, false),
    /** A device that needs no resolution (loopback, point-to-point). */
    NOARP(Neighbour.NUD_NOARP, true),
    /** Set by an administrator; never changes or expires. */
    PERMANENT(Neighbour.NUD_PERMANENT, true);

    private final int nud;
    private final boolean hasLinkAddress;

    NeighbourState(final int nud, final boolean hasLinkAddress)
    {
        this.nud = nud;
        this.hasLinkAddress = hasLinkAddress;
    }

    /** {@return the NUD_* bit of this state} */
    public int nud()
    {
        return nud;
    }

    /** {@return true for the states the kernel calls NUD_VALID: the entry holds a MAC frames may be sent to} */
    public boolean hasLinkAddress()
    {
        return hasLinkAddress;
    }

    /**
     * {@return the state with NUD_* value {@code nud}; the kernel reports exactly one}
     *
     * @param nud a {@code NUD_*} value
     */
    public static NeighbourState of(final int nud)
    {
        for (final NeighbourState state : values())
        {
            if (state.nud == nud)
            {
                return state;
            }
        }
        throw new IllegalArgumentException("not a single NUD_* state: 0x" + Integer.toHexString(nud));
    }
}
