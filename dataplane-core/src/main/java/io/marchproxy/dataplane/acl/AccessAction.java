package io.marchproxy.dataplane.acl;

/** What an access rule does with a matching flow; the codes are what the BPF value carries. */
public enum AccessAction
{
    /** Admit the flow. */
    ALLOW(1),
    /** Drop the flow. */
    DENY(2);

    private final int code;

    AccessAction(final int code)
    {
        this.code = code;
    }

    /** {@return the code in the compiled BPF value: 1 allow, 2 deny (0 is never written)} */
    public int code()
    {
        return code;
    }

    /**
     * {@return the action of {@code code}, or {@code null} for any other number}
     *
     * @param code a BPF value's code
     */
    public static AccessAction ofCode(final int code)
    {
        return code == 1 ? ALLOW : code == 2 ? DENY : null;
    }
}
