package io.marchproxy.node.agent;

/**
 * The control plane answered, and refused: a 4xx with its problem's detail (a rotated key is a 401, a cluster
 * holding its licence's proxies a 409). Retrying the same request does not help until something changes.
 */
public final class ControlRefusedException extends Exception
{
    private final int status;

    public ControlRefusedException(final int status, final String detail)
    {
        super("HTTP " + status + ": " + detail, null, false, false);
        this.status = status;
    }

    public int status()
    {
        return status;
    }

    /** A key the control plane does not take (401), or one of an inactive or other cluster (403). */
    public boolean keyRefused()
    {
        return status == 401 || status == 403;
    }
}
