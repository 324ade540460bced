package io.marchproxy.journal;

/** The kinds of journal record; their numbers are the ring's message type ids and the journal's type byte. */
public enum FlowRecordType
{
    /** A flow opened: its tuple, the backend picked, the SNAT address and port. */
    OPEN(1),
    /** A flow closed: the same, with packets and bytes both ways and how long it lasted. */
    CLOSE(2),
    /** A sample of the drops of one reason: how many since the previous sample, and the last one's tuple if known. */
    DROP(3);

    private final int id;

    FlowRecordType(final int id)
    {
        this.id = id;
    }

    /** The number in the ring and on disk (never 0: agrona reserves it). */
    public int id()
    {
        return id;
    }

    /** The type of {@code id}, or null for an unknown one. */
    public static FlowRecordType of(final int id)
    {
        for (final FlowRecordType t : values())
        {
            if (t.id == id)
            {
                return t;
            }
        }
        return null;
    }
}
