package io.marchproxy.node.cli;

/** How a failed command reports its exception: the message and those of its causes, which say what to do. */
final class Failures
{
    private Failures()
    {
    }

    /**
     * The messages of {@code ex} and its causes, joined by ": " (a cause whose message is already contained is left
     * out); the class name stands in for a missing message.
     *
     * @param ex what the command threw
     * @return one line for the operator
     */
    static String describe(final Throwable ex)
    {
        final StringBuilder b = new StringBuilder();
        for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause())
        {
            final String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
            if (b.indexOf(m) < 0)
            {
                if (!b.isEmpty())
                {
                    b.append(": ");
                }
                b.append(m);
            }
        }
        return b.toString();
    }
}
