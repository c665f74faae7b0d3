package dev.roan.spring.boot;

import java.time.Duration;

import dev.roan.jooq.Roan;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Read-your-writes for the redirect after a form post, with {@code roan.read-your-writes.enabled=true} in a servlet
 * Spring MVC application: the response to a POST, PUT, PATCH or DELETE waits, at most
 * {@code roan.read-your-writes.timeout}, for {@link Roan#awaitPurges} (the purges of the writes its request thread
 * committed), so that the page the browser fetches next (post/redirect/get) is not the old one still cached.
 *
 * <p>A {@code HandlerInterceptor} waits in {@code postHandle}, before a view or redirect is rendered, and a
 * {@code ResponseBodyAdvice} before a {@code @ResponseBody} or {@code ResponseEntity} body is written. Not covered:
 * a {@code ResponseEntity} without a body (its headers are written when the handler returns) and responses a handler
 * writes itself; call {@code roan.awaitPurges(timeout)} there before answering.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = RoanAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ HandlerInterceptor.class, WebMvcConfigurer.class })
@ConditionalOnBooleanProperty(name = "roan.read-your-writes.enabled")
@ConditionalOnBean(Roan.class)
@EnableConfigurationProperties(RoanProperties.class)
public final class RoanReadYourWritesAutoConfiguration {

    RoanReadYourWritesAutoConfiguration() {
    }

    /**
     * The bounded wait, shared by the interceptor and the body advice.
     *
     * @param roan       the Roan bean
     * @param properties the {@code roan.*} properties, for {@code roan.read-your-writes.timeout}
     * @return the wait
     */
    @Bean
    ReadYourWrites roanReadYourWrites(Roan roan, RoanProperties properties) {
        Duration timeout = properties.getReadYourWrites().getTimeout();
        if (timeout == null || timeout.isNegative() || timeout.compareTo(ReadYourWrites.MAX_TIMEOUT) > 0) {
            throw new InvalidConfigurationPropertyValueException("roan.read-your-writes.timeout", timeout,
                    "must be from 0 to 30s, such as 2s: a response to a POST waits that long at most for its purges,"
                            + " holding its request thread");
        }
        return new ReadYourWrites(roan, timeout);
    }

    /**
     * Registers the interceptor that waits before a view or redirect is rendered.
     *
     * @param wait the bounded wait
     * @return the MVC configurer
     */
    @Bean
    WebMvcConfigurer roanReadYourWritesConfigurer(ReadYourWrites wait) {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(new ReadYourWritesInterceptor(wait));
            }
        };
    }

    /**
     * The advice that waits before a {@code @ResponseBody} or {@code ResponseEntity} body is written.
     *
     * @param wait the bounded wait
     * @return the advice
     */
    @Bean
    ReadYourWritesBodyAdvice roanReadYourWritesBodyAdvice(ReadYourWrites wait) {
        return new ReadYourWritesBodyAdvice(wait);
    }
}
