package dev.roan.spring.boot;

import java.time.Duration;

import dev.roan.jooq.Roan;
import org.springframework.beans.factory.ObjectProvider;
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
 * <p>The wait runs after a controller method returned (and its transaction committed) and before its return value is
 * handled, so before a {@code @ResponseBody} or {@code ResponseEntity} answer is written (a bodiless redirect
 * included) and before a view or {@code redirect:} is rendered; a {@code HandlerInterceptor} also waits in
 * {@code postHandle}, for handlers that are not controller methods, and forgets the thread's record in
 * {@code afterCompletion}. Not covered: a response the handler writes itself ({@code HttpServletResponse}), and
 * functional endpoints ({@code RouterFunction}), whose response is written before {@code postHandle}: call
 * {@code roan.awaitPurges(timeout)} there before answering.
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
     * Wraps Spring MVC's return value handlers so that the wait runs before a controller method's answer is written.
     * Static: a post-processor is created before the other beans of this configuration.
     *
     * @param wait the bounded wait, looked up at the first request
     * @return the post-processor
     */
    @Bean
    static ReadYourWritesReturnValues roanReadYourWritesReturnValues(ObjectProvider<ReadYourWrites> wait) {
        return new ReadYourWritesReturnValues(wait);
    }
}
