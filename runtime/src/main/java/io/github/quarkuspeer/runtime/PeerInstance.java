package io.github.quarkuspeer.runtime;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.inject.Qualifier;

/**
 * Marks the bean of a named instance besides its {@code @Named} qualifier, so that it does not also count as the
 * {@code @Default} bean (CDI gives {@code @Default} to a bean whose only qualifier is {@code @Named}). Applications
 * use {@code @Named}.
 */
@Qualifier
@Retention(RUNTIME)
@Target({ TYPE, METHOD, FIELD, PARAMETER })
public @interface PeerInstance {

    /** @return the instance name */
    String value();
}
