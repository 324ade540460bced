package io.marchproxy.dataplane.conntrack;

/**
 * The state of a tracked flow, driven by the TCP flags seen in either direction (UDP flows have one state). Each state
 * has an idle timeout in {@link FlowTimeouts}.
 */
public enum FlowState
{
    /** The client's SYN was seen, nothing from the backend yet. */
    SYN_SENT(1),
    /** The backend's SYN-ACK was seen. */
    SYN_RECEIVED(2),
    /** The client acknowledged the SYN-ACK, or the flow was picked up in the middle. */
    ESTABLISHED(3),
    /** A FIN was seen from one side at least: the connection is closing. */
    FIN_WAIT(4),
    /** FINs from both sides or an RST: kept briefly for the last segments, then expired. */
    CLOSED(5),
    /** A UDP flow. */
    UDP(6);

    private static final FlowState[] BY_CODE = {null, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSED, UDP};

    private final int code;

    FlowState(final int code)
    {
        this.code = code;
    }

    /** {@return the byte stored in the flow record; 0 marks a free record} */
    public int code()
    {
        return code;
    }

    /**
     * {@return the state of a stored code, or {@code null} for 0 (free) and unknown codes}
     *
     * @param code a stored state code
     */
    public static FlowState ofCode(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
