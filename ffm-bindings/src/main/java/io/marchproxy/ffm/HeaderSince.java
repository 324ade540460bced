package io.marchproxy.ffm;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A constant of a binding class that older C headers do not define yet (e.g. a uapi option newer than the
 * distribution's linux-libc-dev). The ABI test checks its value where the installed headers define it and reports it
 * as absent otherwise; callers must expect the kernel to refuse it (ENOPROTOOPT) where it is older too.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface HeaderSince
{
    /** {@return the first release whose headers define the constant, e.g. {@code "Linux 6.17"}} */
    String value();
}
