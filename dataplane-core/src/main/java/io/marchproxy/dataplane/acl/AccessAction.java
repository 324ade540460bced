package io.marchproxy.dataplane.acl;

/** What an access rule does with a matching flow; the codes are what the BPF value carries. */
public enum AccessAction
{
    ALLOW(1),
    DENY(2);

    private final int code;

    AccessAction(final int code)
    {
        this.code = code;
    }

    /** The code in the compiled BPF value: 1 allow, 2 deny (0 is never written). */
    public int code()
    {
        return code;
    }

    /** The action of {@code code}, or {@code null} for any other number. */
    public static AccessAction ofCode(final int code)
    {
        return code == 1 ? ALLOW : code == 2 ? DENY : null;
    }
}
