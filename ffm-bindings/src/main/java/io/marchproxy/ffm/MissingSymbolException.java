package io.marchproxy.ffm;

/**
 * A function this code needs is absent from the installed shared library (too old a version). Thrown when the
 * function is first called, not when the library loads, so the rest of the library stays usable.
 */
public final class MissingSymbolException extends UnsupportedOperationException
{
    private static final long serialVersionUID = 1L;

    /**
     * The function {@code symbol} is missing from {@code library}.
     *
     * @param symbol the C function's name
     * @param library the library's soname
     * @param version the installed version of the library, for the message
     */
    public MissingSymbolException(final String symbol, final String library, final String version)
    {
        super("symbol " + symbol + " not found in " + library + " (version " + version + " installed)");
    }
}
