package io.marchproxy.ffm;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a binding class with the C headers it mirrors and the shared library its functions come from. The ABI
 * conformance test includes these headers and checks the class's layouts, constants and functions against them.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface CHeader
{
    /** {@return header names as written in an {@code #include <...>}} */
    String[] value();

    /** {@return the shared library the functions are linked from: empty for libc} */
    String library() default "";
}
