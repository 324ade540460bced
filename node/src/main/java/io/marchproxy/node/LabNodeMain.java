package io.marchproxy.node;

import io.marchproxy.dataplane.bpf.XskProgram;

import java.util.concurrent.CountDownLatch;

/**
 * The dataplane alone: runs the XDP program on an interface, or on a veth lab it builds with UDP traffic flowing, and
 * prints live counters once a second until Ctrl-C (or {@code --seconds}). Everything it made is removed on exit.
 *
 * <pre>
 * java -jar dataplane-core-*-node.jar [--interface IF [--netns NS]] [--mode skb|drv] [--seconds N] [--pps N]
 * </pre>
 */
public final class LabNodeMain
{
    private LabNodeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final LabOptions options;
        try
        {
            options = LabOptions.parse(args);
            if (!options.rest().isEmpty())
            {
                throw new IllegalArgumentException("unknown option " + options.rest().getFirst() + "; usage: " +
                    LabOptions.USAGE);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final ShutdownSignal signal = ShutdownSignal.install("lab-node-stop", 10);
        final CountDownLatch stop = signal.stop();
        try (LabDataplane dataplane = LabDataplane.start(options, XskProgram.POLICY_IPV4_UDP, System.out))
        {
            CounterTable.print(dataplane.program(), options.seconds(), stop, System.out, "", () -> "");
        }
        catch (final RuntimeException ex)
        {
            System.err.println("marchproxy: " + ex.getMessage());
            signal.finished();
            System.exit(1);
        }
        finally
        {
            System.out.println("dataplane: stopped");
            signal.finished();
        }
    }
}
