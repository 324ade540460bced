package io.marchproxy.dataplane.conntrack;

import io.marchproxy.dataplane.packet.TcpHeader;

/**
 * The TCP state machine of a tracked flow, from the flags of each segment and its direction (0 original, 1 reply).
 * Deliberately loose, as a middlebox's must be (it sees no window or sequence checks): an RST closes; the client's
 * SYN, the backend's SYN-ACK and the client's ACK open; a FIN from either side starts closing and a FIN from the other
 * side closes; a new SYN from the client reopens a closed flow (port reuse; the L4 proxy itself removes such a flow
 * first and balances the new connection afresh). Static and allocation-free.
 */
final class TcpTransitions
{
    /** FIN-seen bit of the original direction in the record's FIN byte; the reply's is {@code << 1}. */
    static final int FIN_ORIGINAL = 1;

    private TcpTransitions()
    {
    }

    /** True for the first segment of a connection: SYN without ACK. */
    static boolean isOpeningSyn(final int flags)
    {
        return (flags & (TcpHeader.SYN | TcpHeader.ACK)) == TcpHeader.SYN;
    }

    /** The state after a segment with {@code flags} in {@code direction}, given the FIN bits seen so far. */
    static FlowState next(final FlowState state, final int direction, final int flags, final int fins)
    {
        if ((flags & TcpHeader.RST) != 0)
        {
            return FlowState.CLOSED;
        }
        final boolean fin = (flags & TcpHeader.FIN) != 0;
        switch (state)
        {
            case SYN_SENT:
                if (fin)
                {
                    return FlowState.FIN_WAIT;
                }
                return direction == 1 && (flags & (TcpHeader.SYN | TcpHeader.ACK)) == (TcpHeader.SYN | TcpHeader.ACK)
                    ? FlowState.SYN_RECEIVED
                    : FlowState.SYN_SENT;
            case SYN_RECEIVED:
                if (fin)
                {
                    return FlowState.FIN_WAIT;
                }
                return direction == 0 && (flags & (TcpHeader.SYN | TcpHeader.ACK)) == TcpHeader.ACK
                    ? FlowState.ESTABLISHED
                    : FlowState.SYN_RECEIVED;
            case ESTABLISHED:
                return fin ? FlowState.FIN_WAIT : FlowState.ESTABLISHED;
            case FIN_WAIT:
                return fin && (fins & otherSide(direction)) != 0 ? FlowState.CLOSED : FlowState.FIN_WAIT;
            case CLOSED:
                return direction == 0 && isOpeningSyn(flags) ? FlowState.SYN_SENT : FlowState.CLOSED;
            default:
                return state;
        }
    }

    /** The FIN bits after the segment: cleared when the flow reopens, else this direction's bit added on a FIN. */
    static int fins(final FlowState next, final int direction, final int flags, final int fins)
    {
        if (next == FlowState.SYN_SENT)
        {
            return 0;
        }
        return (flags & TcpHeader.FIN) != 0 ? fins | (FIN_ORIGINAL << direction) : fins;
    }

    private static int otherSide(final int direction)
    {
        return FIN_ORIGINAL << (direction ^ 1);
    }
}
