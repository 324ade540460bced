package io.marchproxy.node.cli;

import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.net.PortRange;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values picocli does not know: XDP modes and port ranges, with messages that say what is expected. */
final class Converters
{
    private Converters()
    {
    }

    /** {@code skb} or {@code drv} (also {@code generic}, {@code native}). */
    static final class Mode implements ITypeConverter<XdpMode>
    {
        @Override
        public XdpMode convert(final String value)
        {
            try
            {
                return XdpMode.parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new TypeConversionException(ex.getMessage());
            }
        }
    }

    /** {@code A-B}, an inclusive port range. */
    static final class Ports implements ITypeConverter<PortRange>
    {
        @Override
        public PortRange convert(final String value)
        {
            final int dash = value.indexOf('-');
            try
            {
                return new PortRange(Integer.parseInt(value.substring(0, dash)),
                    Integer.parseInt(value.substring(dash + 1)));
            }
            catch (final RuntimeException ex)
            {
                throw new TypeConversionException("needs A-B with 0 <= A <= B <= 65535, not '" + value + "'");
            }
        }
    }
}
